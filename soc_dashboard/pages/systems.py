"""Systems page: the inventory of information systems and agencies (read-only)."""

from __future__ import annotations

from typing import Any

from dash import Dash, html
from dash.development.base_component import Component

from soc_dashboard.components import guarded_page, notice, page_heading, register_page, table
from soc_dashboard.context import console, current_language
from soc_dashboard.i18n import t
from soc_dashboard.views.systems import agency_rows, system_rows

SYSTEM_COLUMNS = (
    ("id", "col.id"),
    ("name", "col.name"),
    ("agency", "col.agency"),
    ("security_level", "col.security_level"),
    ("zone", "col.zone"),
    ("hosting", "col.hosting"),
    ("ip_ranges", "col.ip_ranges"),
    ("hostnames", "col.hostnames"),
)
AGENCY_COLUMNS = (
    ("id", "col.id"),
    ("name", "col.name"),
    ("kind", "col.kind"),
    ("parent", "col.parent"),
    ("ip_ranges", "col.ip_ranges"),
)


def _title() -> str:
    return t("nav.systems", current_language()) + " · SOC"


register_page(__name__, path="/systems", name="systems", order=4, title=_title)


def content(lang: str, **_: Any) -> Component:
    with console().state.session() as session:
        systems = system_rows(session, lang)
        agencies = agency_rows(session, lang)
    if not systems and not agencies:
        return html.Div(
            [page_heading(t("systems.heading", lang)), notice(t("systems.empty", lang))]
        )
    return html.Div(
        [
            page_heading(t("systems.heading", lang)),
            html.Section(
                [
                    html.P(t("common.rows", lang, count=len(systems)), className="count"),
                    table([(f, t(k, lang)) for f, k in SYSTEM_COLUMNS], systems),
                ],
                className="card wide",
            ),
            html.Section(
                [
                    html.H2(t("systems.agencies", lang)),
                    table([(f, t(k, lang)) for f, k in AGENCY_COLUMNS], agencies),
                ],
                className="card wide",
            ),
        ]
    )


def layout(**_: Any) -> Component:
    return guarded_page("systems.view", content)


def register_callbacks(app: Dash) -> None:
    """Static tables: nothing to register (kept so every page has the same shape)."""
