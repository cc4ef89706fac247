"""Audit-log page: sign-ins and every change made through the console or the CLI (read-only)."""

from __future__ import annotations

from typing import Any

from dash import Dash, html
from dash.development.base_component import Component

from soc_dashboard import audit
from soc_dashboard.components import guarded_page, page_heading, register_page, table
from soc_dashboard.context import console, current_language
from soc_dashboard.i18n import t
from soc_dashboard.views.audit_log import audit_rows

LIMIT = 500
COLUMNS = (
    ("time", "col.time"),
    ("actor", "col.actor"),
    ("action", "col.action"),
    ("target", "col.target"),
    ("details", "col.details"),
)


def _title() -> str:
    return t("nav.audit", current_language()) + " · SOC"


register_page(__name__, path="/audit", name="audit", order=6, title=_title)


def content(lang: str, actor: str | None = None, **_: Any) -> Component:
    cons = console()
    with cons.state.session() as session:
        rows = audit_rows(audit.recent(session, limit=LIMIT, actor=actor), lang, cons.tz)
    return html.Div(
        [
            page_heading(t("audit.heading", lang)),
            html.P(t("common.rows", lang, count=len(rows)), className="count"),
            table([(f, t(k, lang)) for f, k in COLUMNS], rows),
        ]
    )


def layout(actor: str | None = None, **_: Any) -> Component:
    return guarded_page("audit.view", content, actor=actor)


def register_callbacks(app: Dash) -> None:
    """Static table: nothing to register."""
