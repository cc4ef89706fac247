"""Shown for any path no page claims (Dash pages picks a module named ``not_found_404``)."""

from __future__ import annotations

from typing import Any

from dash import Dash, dcc, html
from dash.development.base_component import Component

from soc_dashboard.components import notice, register_page
from soc_dashboard.context import current_language
from soc_dashboard.i18n import t


def _title() -> str:
    return t("common.not_found", current_language())


register_page(__name__, path="/404", name="not_found", title=_title)


def layout(**_: Any) -> Component:
    lang = current_language()
    return html.Div(
        [notice(t("common.not_found", lang), "error"), dcc.Link(t("nav.overview", lang), href="/")]
    )


def register_callbacks(app: Dash) -> None:
    """Nothing to register."""
