"""The frame around every page: brand, navigation by role, language, the user, sign-out."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import dash
import flask
from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from soc.config import Settings
from soc.ecs import utc_now
from soc_dashboard.components import SHELL_CONTEXT, aria, language_of
from soc_dashboard.context import Actor, current_actor, current_language
from soc_dashboard.i18n import label, t, utc_offset_label
from soc_dashboard.login import csrf_token
from soc_dashboard.roles import allowed

# (path, text key, permission) in menu order.
NAVIGATION = (
    ("/", "nav.overview", "overview.view"),
    ("/alerts", "nav.alerts", "alerts.view"),
    ("/events", "nav.events", "events.view"),
    ("/compliance", "nav.compliance", "compliance.view"),
    ("/systems", "nav.systems", "systems.view"),
    ("/evidence", "nav.evidence", "evidence.view"),
    ("/audit", "nav.audit", "audit.view"),
)
NAV = "shell-nav"


def section_of(pathname: str | None) -> str:
    """``/alerts/x`` → ``/alerts``: the menu entry a path belongs to."""
    return "/" + (pathname or "/").strip("/").split("/")[0]


def nav_links(role: str | None, lang: str, pathname: str | None) -> list[Component]:
    current = section_of(pathname)
    return [
        dcc.Link(
            t(key, lang),
            href=path,
            id=f"shell-nav-{path.strip('/') or 'overview'}",
            className="nav-link current" if path == current else "nav-link",
        )
        for path, key, permission in NAVIGATION
        if allowed(role, permission)
    ]


def _navigation(role: str | None, lang: str) -> Component:
    return html.Nav(
        nav_links(role, lang, None), id=NAV, className="nav", **aria(label=t("nav.label", lang))
    )


def _account(lang: str, actor: Actor | None) -> Component:
    if actor is None:
        return html.Div(className="account")
    who = t(
        "shell.signed_in",
        lang,
        user=actor.display_name or actor.username,
        role=label("role", actor.role, lang),
    )
    return html.Div(
        [
            html.Span(who, className="who", id="shell-user"),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="shell-csrf"),
                    html.Button(
                        t("shell.logout", lang),
                        type="submit",
                        id="shell-logout",
                        className="link-button",
                    ),
                ],
                action="/logout",
                method="POST",
                className="logout",
            ),
        ],
        className="account",
    )


def _languages(lang: str) -> Component:
    def link(code: str, text: str) -> Component:
        current = "lang-link current" if code == lang else "lang-link"
        return html.A(
            text, href=f"?lang={code}", lang=code, id=f"shell-lang-{code}", className=current
        )

    return html.Div(
        [
            html.Span(t("shell.language", lang) + ":", className="sr-only"),
            link("vi", "Tiếng Việt"),
            link("en", "English"),
        ],
        className="languages",
    )


def frame(settings: Settings, tz: ZoneInfo, lang: str, actor: Actor | None) -> Component:
    """Header, the page container and the shared store."""
    tools = html.Div(
        [
            html.Span(
                t("shell.timezone", lang, tz=utc_offset_label(tz, utc_now())), className="tz"
            ),
            _languages(lang),
            _account(lang, actor),
        ],
        className="header-tools",
    )
    brand = html.Div(
        [
            html.Span(t("app.title", lang), className="brand-title"),
            html.Span(f"{t('app.tagline', lang)} · {settings.city}", className="brand-sub"),
        ],
        className="brand",
    )
    header = html.Header(
        [
            html.A(t("shell.skip", lang), href="#shell-main", className="skip-link"),
            html.Div([brand, tools], className="top-row"),
            _navigation(actor.role if actor else None, lang),
        ],
        className="top",
    )
    return html.Div(
        [
            header,
            html.Main(dash.page_container, id="shell-main", tabIndex="-1"),
            dcc.Store(id=SHELL_CONTEXT, data={"lang": lang, "tz": tz.key}),
        ],
        lang=lang,
    )


def make_layout(settings: Settings, tz: ZoneInfo) -> Callable[[], Component]:
    """``app.layout``: evaluated per page load, so it follows the caller's role and language.

    Dash also calls it once outside any request (to learn the components): then it is the
    frame of nobody, in the configured language.
    """

    def layout() -> Component:
        if not flask.has_request_context():
            return frame(settings, tz, settings.console.language, None)
        return frame(settings, tz, current_language(), current_actor())

    return layout


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(NAV, "children"),
        Input("_pages_location", "pathname"),
        State(SHELL_CONTEXT, "data"),
    )
    def mark_current(pathname: str | None, context: dict[str, str] | None) -> list[Component]:
        actor = current_actor()
        return nav_links(actor.role if actor else None, language_of(context), pathname)
