"""Compliance page: the latest policy evaluation per system and per requirement, and what changed
since the previous evaluation (read-only)."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html
from dash.development.base_component import Component

from soc_dashboard.components import (
    SHELL_CONTEXT,
    dropdown,
    guarded_page,
    language_of,
    notice,
    options,
    page_heading,
    register_page,
    table,
)
from soc_dashboard.context import console, current_language
from soc_dashboard.i18n import format_time, label, t
from soc_dashboard.views.compliance import (
    STATUSES,
    RunChanges,
    changes_since_previous,
    latest_run,
    result_rows,
    summary_rows,
)

SYSTEM = "compliance-system"
STATUS = "compliance-status"
RESULTS = "compliance-results"
COUNT = "compliance-count"
CHANGES = "compliance-changes"

SUMMARY_COLUMNS = (
    ("system", "col.system"),
    ("name", "col.name"),
    ("fail", "col.fail"),
    ("unknown", "col.unknown"),
    ("pass", "col.pass"),
)
CHANGE_COLUMNS = (
    ("system", "col.system"),
    ("requirement", "col.requirement"),
    ("before", "col.before"),
    ("after", "col.after"),
    ("message", "col.message"),
)
RESULT_COLUMNS = (
    ("system", "col.system"),
    ("requirement", "col.requirement"),
    ("status", "col.status"),
    ("severity", "col.severity"),
    ("message", "col.message"),
)


def _title() -> str:
    return t("nav.compliance", current_language()) + " · SOC"


register_page(__name__, path="/compliance", name="compliance", order=3, title=_title)


def _changes(changes: RunChanges | None, lang: str) -> list[Component]:
    """The "changes since the previous evaluation" section's body."""
    if changes is None or changes.compared == 0:
        return [notice(t("compliance.no_previous", lang))]
    if not changes.rows:
        return [notice(t("compliance.no_changes", lang), "success")]
    count = t(
        "compliance.changes_count",
        lang,
        count=len(changes.rows),
        worse=changes.worse,
        better=changes.better,
    )
    # Badges made here: the table would name their class after the column ("before-fail").
    rows = [
        {
            "system": row["system"],
            "requirement": row["requirement"],
            "before": _badge(row, "before"),
            "after": _badge(row, "after"),
            "message": row["message"],
        }
        for row in changes.rows
    ]
    columns = [(f, t(k, lang)) for f, k in CHANGE_COLUMNS]
    return [html.P(count, className="count"), table(columns, rows)]


def _badge(row: dict[str, Any], side: str) -> Component:
    return html.Span(row[side], className=f"badge status-{row[f'{side}_key']}")


def content(lang: str, system: str | None = None, **_: Any) -> Component:
    cons = console()
    with cons.state.session() as session:
        run = latest_run(session)
        summary = summary_rows(session, run.run_id) if run else []
        changes = changes_since_previous(session, run.run_id, lang) if run else None
    systems = [r["system"] for r in summary]
    # The sections exist even before the first evaluation (hidden): callbacks need their ids.
    heading = (
        notice(t("compliance.empty", lang))
        if run is None
        else html.P(
            t(
                "compliance.run",
                lang,
                time=format_time(run.evaluated_at, cons.tz, lang),
                profile=label("profile", run.profile, lang),
            ),
            className="muted",
        )
    )
    return html.Div(
        [
            page_heading(t("compliance.heading", lang)),
            heading,
            html.Section(
                [
                    html.H2(t("compliance.summary", lang)),
                    table([(f, t(k, lang)) for f, k in SUMMARY_COLUMNS], summary),
                ],
                className="card wide",
                hidden=run is None,
            ),
            html.Section(
                [html.H2(t("compliance.changes", lang)), *_changes(changes, lang)],
                id=CHANGES,
                className="card wide",
                hidden=run is None,
            ),
            html.Section(
                [
                    html.H2(t("compliance.results", lang)),
                    html.Div(
                        [
                            dropdown(
                                SYSTEM,
                                t("col.system", lang),
                                options(systems, None, lang),
                                lang,
                                value=system if system in systems else None,
                                placeholder=t("common.all", lang),
                            ),
                            dropdown(
                                STATUS,
                                t("col.status", lang),
                                options(STATUSES, "compliance_status", lang),
                                lang,
                                placeholder=t("common.all", lang),
                            ),
                        ],
                        className="filters",
                        role="search",
                    ),
                    html.P(id=COUNT, className="count", role="status"),
                    html.Div(id=RESULTS),
                ],
                className="card wide",
                hidden=run is None,
            ),
        ]
    )


def layout(system: str | None = None, **_: Any) -> Component:
    return guarded_page("compliance.view", content, system=system)


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(RESULTS, "children"),
        Output(COUNT, "children"),
        Input(SYSTEM, "value"),
        Input(STATUS, "value"),
        State(SHELL_CONTEXT, "data"),
    )
    def results(system: Any, status: Any, context: Any) -> tuple[Any, ...]:
        lang, cons = language_of(context), console()
        with cons.state.session() as session:
            run = latest_run(session)
            if run is None:
                return None, ""
            rows = result_rows(
                session,
                run.run_id,
                lang,
                system_id=system if isinstance(system, str) else None,
                status=status if isinstance(status, str) else None,
            )
        columns = [(f, t(k, lang)) for f, k in RESULT_COLUMNS]
        return table(columns, rows), t("common.rows", lang, count=len(rows))
