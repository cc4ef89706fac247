"""Headless Chromium for the console tests (dash's ``dash_duo``), skipped when absent."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

# The console fixtures (temporary state DB, event store, users, app) are shared with the unit tests.
from tests.soc_dashboard.conftest import (  # noqa: F401
    app,
    password_hash,
    settings,
    state,
    store,
    users,
)

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def _chromium() -> str | None:
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def pytest_setup_options() -> Any:
    """dash's hook for browser options: point Selenium at the system Chromium."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    binary = _chromium()
    if binary:
        options.binary_location = binary
    options.add_argument("--window-size=1440,1000")
    options.add_argument("--lang=vi-VN")
    return options  # pytest gathers every implementation's result into a list


@pytest.fixture(autouse=True)
def _headless_browser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if _chromium() is None or shutil.which("chromedriver") is None:
        pytest.skip("chromium and chromedriver are needed for browser tests")
    request.config.option.headless = True  # no display on CI machines
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium download a driver
