"""End-to-end tests use the same headless-browser set-up as the console's browser tests."""

from tests.browser.conftest import _headless_browser, pytest_setup_options  # noqa: F401
