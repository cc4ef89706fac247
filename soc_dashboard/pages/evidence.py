"""Evidence page: the declared evidence (dossiers, decisions, assessments, contracts, controls)
filtered by system and kind; administrators add, edit, delete, import and export it."""

from __future__ import annotations

from typing import Any, get_args

from dash import Dash, Input, Output, State, html
from dash.development.base_component import Component

from soc.inventory import EvidenceKind
from soc_dashboard.components import (
    SHELL_CONTEXT,
    aria,
    dropdown,
    guarded_page,
    language_of,
    notice,
    options,
    page_heading,
    register_page,
    table,
)
from soc_dashboard.context import console, current_actor, current_language
from soc_dashboard.editor import add_button, editor_ids, editor_parts, register_editor
from soc_dashboard.i18n import t
from soc_dashboard.roles import allowed
from soc_dashboard.transfer_parts import (
    download_buttons,
    register_transfer,
    transfer_ids,
    upload_area,
)
from soc_dashboard.views.evidence import evidence_rows, subject_choices
from soc_dashboard.views.records import EVIDENCE
from soc_dashboard.views.transfer import evidence_file, import_evidence_upload

RECORDS = editor_ids("evidence-rec")
FILES = transfer_ids("evidence")
SYSTEM = "evidence-system"
KIND = "evidence-kind"
TABLE = "evidence-table"
COUNT = "evidence-count"
KINDS = get_args(EvidenceKind)

COLUMNS = (
    ("id", "col.id"),
    ("kind", "col.kind"),
    ("subject", "col.subject"),
    ("title", "col.evidence_title"),
    ("issued_on", "col.issued_on"),
    ("expires_on", "col.expires_on"),
    ("reference", "col.reference"),
    ("by", "col.by"),
)


def _title() -> str:
    return t("nav.evidence", current_language()) + " · SOC"


register_page(__name__, path="/evidence", name="evidence", order=5, title=_title)


def _can_edit() -> bool:
    actor = current_actor()
    return actor is not None and allowed(actor.role, "evidence.edit")


def _listing(system: Any, kind: Any, lang: str) -> tuple[Any, Any]:
    with console().state.session() as session:
        rows = evidence_rows(
            session,
            lang,
            system=system if isinstance(system, str) else None,
            kind=kind if isinstance(kind, str) else None,
        )
    opener = {"open_type": RECORDS.open, "open_field": "id"} if _can_edit() else {}
    shown = table(
        [(f, t(k, lang)) for f, k in COLUMNS], rows, caption=t("evidence.heading", lang), **opener
    )
    count: Any = t("common.rows", lang, count=len(rows)) if rows else t("evidence.empty", lang)
    return shown, count


def _filters(lang: str, systems: list[str]) -> Component:
    return html.Div(
        [
            dropdown(
                SYSTEM,
                t("col.system", lang),
                options(systems, None, lang),
                lang,
                placeholder=t("common.all", lang),
            ),
            dropdown(
                KIND,
                t("col.kind", lang),
                options(KINDS, "evidence_kind", lang),
                lang,
                placeholder=t("common.all", lang),
            ),
        ],
        className="filters",
        role="search",
        **aria(label=t("evidence.filters", lang)),
    )


def content(lang: str, **_: Any) -> Component:
    can_edit = _can_edit()
    with console().state.session() as session:
        systems, agencies = subject_choices(session)
    choices = {
        "system": [{"label": s, "value": s} for s in systems],
        "agency": [{"label": a, "value": a} for a in agencies],
    }
    listing, count = _listing(None, None, lang)
    return html.Div(
        [
            page_heading(
                t("evidence.heading", lang),
                html.Div(
                    add_button(RECORDS, t("evidence.add", lang)),
                    className="heading-buttons",
                    hidden=not can_edit,
                ),
            ),
            html.Div(None if can_edit else notice(t("evidence.read_only", lang))),
            editor_parts(RECORDS, EVIDENCE, lang, choices),
            _filters(lang, systems),
            html.Section(
                [
                    html.P(count, id=COUNT, className="count", role="status"),
                    html.Div(listing, id=TABLE),
                ],
                className="card wide",
            ),
            html.Section(
                [
                    html.H2(t("evidence.transfer", lang)),
                    download_buttons(FILES, lang),
                    upload_area(FILES, lang, t("evidence.upload_hint", lang), hidden=not can_edit),
                ],
                className="card wide",
            ),
        ]
    )


def layout(**_: Any) -> Component:
    return guarded_page("evidence.view", content)


def register_callbacks(app: Dash) -> None:
    register_editor(app, RECORDS, EVIDENCE)

    @app.callback(
        Output(TABLE, "children"),
        Output(COUNT, "children"),
        Input(SYSTEM, "value"),
        Input(KIND, "value"),
        Input(RECORDS.version, "data"),
        Input(FILES.version, "data"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,  # the page is drawn with its table
    )
    def refresh(system: Any, kind: Any, _v1: Any, _v2: Any, context: Any) -> tuple[Any, Any]:
        return _listing(system, kind, language_of(context))

    register_transfer(app, FILES, evidence_file, import_evidence_upload)
