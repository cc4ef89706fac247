"""The console application factory: one Dash app bound to the given settings and stores."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import flask
from dash import Dash, html
from sqlalchemy.exc import SQLAlchemyError

from soc.config import Settings
from soc.state.db import StateDB
from soc.stores.base import EventStore
from soc_dashboard import api, login, shell
from soc_dashboard.auth import gate, security_headers
from soc_dashboard.context import EXTENSION, ConsoleContext, current_language
from soc_dashboard.i18n import t, zone_of
from soc_dashboard.keys import console_key
from soc_dashboard.metrics import register_metrics
from soc_dashboard.throttle import LoginThrottle, ThrottlePolicy

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent
PAGES_DIR = PACKAGE_DIR / "pages"
# Every page module, explicitly: each registers its page with Dash and its callbacks with the app.
PAGE_MODULES = (
    "overview",
    "alerts",
    "events",
    "compliance",
    "systems",
    "evidence",
    "audit_log",
    "not_found_404",
)
# An administrator's upload (2 MiB of YAML/CSV) travels base64-encoded in a callback request.
MAX_REQUEST_BYTES = 3 * 1_048_576
# Per address the limit is looser than per account: a shared office NAT must not lock everyone.
ADDRESS_THROTTLE = ThrottlePolicy(max_failures=20, window_seconds=900, lockout_seconds=900)


def _server(settings: Settings, context: ConsoleContext) -> flask.Flask:
    server = flask.Flask("soc_dashboard", root_path=str(PACKAGE_DIR))
    server.config.update(
        SECRET_KEY=console_key(settings.home),
        SESSION_COOKIE_NAME="soc_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.console.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.console.session_hours),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    server.extensions[EXTENSION] = context
    # Registered before Dash adds its own hooks, so the gate runs first on every request.
    server.before_request(gate)
    server.after_request(security_headers)
    server.register_error_handler(SQLAlchemyError, _state_unavailable)
    login.register_routes(server)
    api.register_routes(server)
    return server


def _state_unavailable(error: Exception) -> tuple[dict[str, str], int]:
    """The state database failed (PostgreSQL down, disk full): a clear 503, not a stack trace."""
    # The driver's own message (e.g. "connection refused"), never the statement's parameters.
    cause = getattr(error, "orig", None)
    log.error("state database error: %s", cause or error.__class__.__name__)
    return {"error": "state database unavailable; try again shortly"}, 503


def create_app(
    settings: Settings,
    *,
    state: StateDB,
    store: EventStore,
    metrics: Callable[[], bytes] | None = None,
) -> Dash:
    """Build the console. Nothing is read or started before this call; serve it with ``serve``.

    ``metrics`` renders the Prometheus exposition served on ``/metrics`` (token-protected).
    """
    context = ConsoleContext(
        settings=settings,
        state=state,
        store=store,
        tz=zone_of(settings.console.timezone),
        user_throttle=LoginThrottle(),
        address_throttle=LoginThrottle(ADDRESS_THROTTLE),
    )
    server = _server(settings, context)
    if metrics is not None:
        register_metrics(server, metrics, settings.home)
    app = Dash(
        "soc_dashboard",
        server=cast(Any, server),  # Dash accepts a Flask app; its annotation says otherwise
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(PACKAGE_DIR / "assets"),
        title=t("app.title", settings.console.language),
        update_title="",  # no "Updating..." flicker in the tab title
        serve_locally=True,
    )
    app.layout = shell.make_layout(settings, context.tz)
    _declare_language(app)
    pages = [importlib.import_module(f"soc_dashboard.pages.{name}") for name in PAGE_MODULES]
    shell.register_callbacks(app)
    for page in pages:
        page.register_callbacks(app)
    server.before_request(_full_validation_layout(app, pages))
    return app


def _declare_language(app: Dash) -> None:
    """``<html lang="vi">`` (or ``en``) on every page, so screen readers pronounce it right."""
    interpolate: Callable[..., str] = app.interpolate_index

    def with_language(**parts: Any) -> str:
        return interpolate(**parts).replace("<html>", f'<html lang="{current_language()}">', 1)

    setattr(app, "interpolate_index", with_language)  # noqa: B010 (Dash's annotation is narrower)


def _full_validation_layout(app: Dash, pages: list[ModuleType]) -> Callable[[], None]:
    """Tell Dash every component of every page, whoever makes the first request.

    Dash builds its callback-validation layout from the page layouts as the first caller sees
    them; a page refused to that caller's role would then lack its components and every
    browser would report its callbacks as broken. Runs after Dash's own first-request hooks.
    """
    done = False

    def replace() -> None:
        nonlocal done
        if done:
            return
        lang = app.server.extensions[EXTENSION].settings.console.language
        contents = [page.content(lang) for page in pages if hasattr(page, "content")]
        layout = app.layout() if callable(app.layout) else app.layout
        app.validation_layout = html.Div([layout, *contents])  # type: ignore[assignment]
        done = True

    return replace
