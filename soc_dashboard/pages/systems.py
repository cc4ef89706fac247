"""Systems page: the inventory of information systems and agencies; administrators add, edit and
delete them through forms and import or export the whole inventory as YAML or CSV."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html
from dash.development.base_component import Component
from sqlalchemy.orm import Session

from soc_dashboard.components import (
    SHELL_CONTEXT,
    guarded_page,
    language_of,
    notice,
    page_heading,
    register_page,
    table,
)
from soc_dashboard.context import console, current_actor, current_language
from soc_dashboard.editor import add_button, editor_ids, editor_parts, register_editor
from soc_dashboard.forms import field_id
from soc_dashboard.i18n import t
from soc_dashboard.roles import allowed
from soc_dashboard.transfer_parts import (
    TransferIds,
    download_buttons,
    register_transfer,
    transfer_ids,
    upload_area,
)
from soc_dashboard.views.records import AGENCY, SYSTEM
from soc_dashboard.views.systems import agency_options, agency_rows, system_rows
from soc_dashboard.views.transfer import import_inventory_upload, inventory_file

SYSTEMS = editor_ids("systems-sys")
AGENCIES = editor_ids("systems-agency")
FILES: TransferIds = transfer_ids("systems")
SYSTEM_TABLE = "systems-table"
AGENCY_TABLE = "systems-agencies"
COUNT = "systems-count"
AGENCY_FIELDS = (
    field_id(SYSTEMS.prefix, "owner"),
    field_id(SYSTEMS.prefix, "operator"),
    field_id(AGENCIES.prefix, "parent"),
)

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


def _can_edit() -> bool:
    actor = current_actor()
    return actor is not None and allowed(actor.role, "systems.edit")


def _tables(session: Session, lang: str, can_edit: bool) -> tuple[Any, Any, Any]:
    systems = system_rows(session, lang)
    agencies = agency_rows(session, lang)
    opener = {"open_field": "name"}
    system_table = table(
        [(f, t(k, lang)) for f, k in SYSTEM_COLUMNS],
        systems,
        caption=t("systems.heading", lang),
        **({"open_type": SYSTEMS.open, **opener} if can_edit else {}),
    )
    agency_table = table(
        [(f, t(k, lang)) for f, k in AGENCY_COLUMNS],
        agencies,
        caption=t("systems.agencies", lang),
        **({"open_type": AGENCIES.open, **opener} if can_edit else {}),
    )
    if not systems and not agencies:
        count: Any = notice(t("systems.empty", lang))
    else:
        count = t("common.rows", lang, count=len(systems))
    return system_table, agency_table, count


def content(lang: str, **_: Any) -> Component:
    can_edit = _can_edit()
    with console().state.session() as session:
        system_table, agency_table, count = _tables(session, lang, can_edit)
        agencies = agency_options(session, lang)
    options = {"owner": agencies, "operator": agencies, "parent": agencies}
    return html.Div(
        [
            page_heading(
                t("systems.heading", lang),
                html.Div(
                    [
                        add_button(SYSTEMS, t("systems.add_system", lang)),
                        add_button(AGENCIES, t("systems.add_agency", lang)),
                    ],
                    className="heading-buttons",
                    hidden=not can_edit,
                ),
            ),
            html.Div(None if can_edit else notice(t("systems.read_only", lang))),
            editor_parts(SYSTEMS, SYSTEM, lang, options),
            editor_parts(AGENCIES, AGENCY, lang, options),
            html.Section(
                [
                    html.P(count, id=COUNT, className="count", role="status"),
                    html.Div(system_table, id=SYSTEM_TABLE),
                ],
                className="card wide",
            ),
            html.Section(
                [html.H2(t("systems.agencies", lang)), html.Div(agency_table, id=AGENCY_TABLE)],
                className="card wide",
            ),
            html.Section(
                [
                    html.H2(t("systems.transfer", lang)),
                    download_buttons(FILES, lang),
                    upload_area(FILES, lang, t("systems.upload_hint", lang), hidden=not can_edit),
                ],
                className="card wide",
            ),
        ]
    )


def layout(**_: Any) -> Component:
    return guarded_page("systems.view", content)


def register_callbacks(app: Dash) -> None:
    register_editor(app, SYSTEMS, SYSTEM)
    register_editor(app, AGENCIES, AGENCY)

    @app.callback(
        Output(SYSTEM_TABLE, "children"),
        Output(AGENCY_TABLE, "children"),
        Output(COUNT, "children"),
        *[Output(field, "options") for field in AGENCY_FIELDS],
        Input(SYSTEMS.version, "data"),
        Input(AGENCIES.version, "data"),
        Input(FILES.version, "data"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,  # the page is drawn with its tables
    )
    def refresh(_systems: Any, _agencies: Any, _upload: Any, context: Any) -> tuple[Any, ...]:
        lang = language_of(context)
        with console().state.session() as session:
            tables = _tables(session, lang, _can_edit())
            agencies = agency_options(session, lang)
        return (*tables, agencies, agencies, agencies)

    register_transfer(app, FILES, inventory_file, import_inventory_upload)
