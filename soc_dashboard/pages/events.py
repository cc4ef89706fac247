"""Events page: bounded search by dataset, time window and free text; one event as JSON."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from soc.ecs import Event, utc_now
from soc.stores.base import EventQuery
from soc_dashboard.components import (
    SHELL_CONTEXT,
    aria,
    clicked_index,
    dropdown,
    guarded_page,
    labelled,
    language_of,
    notice,
    page_heading,
    register_page,
    table,
)
from soc_dashboard.context import console, current_language
from soc_dashboard.i18n import t
from soc_dashboard.views.common import WINDOWS, Outcome, guarded, window_start
from soc_dashboard.views.events import (
    DEFAULT_LIMIT,
    LIMIT_CHOICES,
    MAX_TEXT,
    build_query,
    dataset_choices,
    event_json,
    event_rows,
)

DATASET = "events-dataset"
WINDOW = "events-window"
TEXT = "events-text"
LIMIT = "events-limit"
SEARCH = "events-search"
TABLE = "events-table"
OPEN = "events-open"
DATASETS_TTL = 300.0
COUNT = "events-count"
DETAIL = "events-detail"

COLUMNS = (
    ("time", "col.time"),
    ("dataset", "col.dataset"),
    ("source_ip", "col.source_ip"),
    ("host", "col.host"),
    ("summary", "col.summary"),
)


def _title() -> str:
    return t("nav.events", current_language()) + " · SOC"


register_page(__name__, path="/events", name="events", order=2, title=_title)


def content(lang: str, dataset: str | None = None, q: str | None = None, **_: Any) -> Component:
    cons = console()
    # An aggregation over a month of events: remembered for a few minutes, not run per visit.
    choices: Outcome[list[str]] = guarded(
        lambda: cons.remembered(
            "events.datasets",
            DATASETS_TTL,
            lambda: dataset_choices(cons.store, window_start("30d", utc_now())),
        ),
        [],
    )
    windows = [{"label": t(f"window.{w}", lang), "value": w} for w in WINDOWS]
    limits = [{"label": str(n), "value": n} for n in LIMIT_CHOICES]
    form = html.Div(
        [
            dropdown(
                DATASET,
                t("col.dataset", lang),
                [{"label": d, "value": d} for d in choices.value],
                lang,
                value=dataset if dataset in choices.value else None,
                placeholder=t("common.all", lang),
            ),
            dropdown(WINDOW, t("common.window", lang), windows, lang, value="24h", clearable=False),
            labelled(
                TEXT,
                t("events.text", lang),
                dcc.Input(
                    id=TEXT,
                    type="search",
                    maxLength=MAX_TEXT,
                    value=q or "",
                    placeholder=t("events.text_hint", lang),
                    debounce=True,
                ),
            ),
            dropdown(
                LIMIT, t("events.limit", lang), limits, lang, value=DEFAULT_LIMIT, clearable=False
            ),
            html.Button(
                t("events.search", lang), id=SEARCH, n_clicks=0, type="button", className="primary"
            ),
        ],
        className="filters",
        role="search",
        **aria(label=t("events.heading", lang)),
    )
    problem = (
        notice(t("common.unavailable", lang, error=choices.error), "error")
        if choices.error
        else None
    )
    return html.Div(
        [
            page_heading(t("events.heading", lang)),
            form,
            problem,
            html.P(id=COUNT, className="count", role="status"),
            html.Div(
                [
                    html.Div(id=TABLE, className="queue"),
                    html.Section(
                        [
                            html.H2(t("events.detail", lang)),
                            html.Div(notice(t("events.pick", lang)), id=DETAIL),
                        ],
                        className="detail-pane",
                    ),
                ],
                className="split",
            ),
        ]
    )


def layout(dataset: str | None = None, q: str | None = None, **_: Any) -> Component:
    return guarded_page("events.view", content, dataset=dataset, q=q)


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(TABLE, "children"),
        Output(COUNT, "children"),
        Input(SEARCH, "n_clicks"),
        Input(TEXT, "n_submit"),
        State(DATASET, "value"),
        State(WINDOW, "value"),
        State(TEXT, "value"),
        State(LIMIT, "value"),
        State(SHELL_CONTEXT, "data"),
    )
    def search(
        _clicks: Any, _submit: Any, dataset: Any, window: Any, text: Any, limit: Any, context: Any
    ) -> tuple[Any, ...]:
        lang, cons = language_of(context), console()
        query = build_query(dataset, window, text, limit, utc_now())
        found: Outcome[list[Event]] = guarded(lambda: cons.store.search(query), [])
        if found.error:
            return None, notice(t("common.unavailable", lang, error=found.error), "error")
        rows = event_rows(found.value, lang, cons.tz)
        count = t("common.rows", lang, count=len(rows)) if rows else t("events.empty", lang)
        if rows and len(rows) >= query.limit:
            count += " · " + t("common.limited", lang, shown=len(rows), limit=query.limit)
        columns = [(f, t(k, lang)) for f, k in COLUMNS]
        return table(
            columns, rows, caption=t("events.heading", lang), open_type=OPEN, open_field="time"
        ), count

    @app.callback(
        Output(DETAIL, "children"),
        Input({"type": OPEN, "index": ALL}, "n_clicks"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,
    )
    def show(_clicks: Any, context: Any) -> Any:
        lang, cons = language_of(context), console()
        event_id = clicked_index()
        if not isinstance(event_id, str):
            return event_id if event_id is dash.no_update else notice(t("events.pick", lang))
        query = EventQuery(ids=(event_id[:128],), limit=1)
        found: Outcome[list[Event]] = guarded(lambda: cons.store.search(query), [])
        if found.error:
            return notice(t("common.unavailable", lang, error=found.error), "error")
        if not found.value:
            return notice(t("events.empty", lang))
        return html.Pre(event_json(found.value[0]), className="json", tabIndex="0")
