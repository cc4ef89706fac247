"""Overview page: what needs attention now, and what the SOC has seen in the chosen window."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from soc.ecs import utc_now
from soc_dashboard.components import (
    SHELL_CONTEXT,
    dropdown,
    guarded_page,
    language_of,
    notice,
    page_heading,
    register_page,
    stat_card,
)
from soc_dashboard.context import console, current_language
from soc_dashboard.i18n import format_time, label, t
from soc_dashboard.views.charts import buckets_figure, counts_figure, timeline_figure
from soc_dashboard.views.common import DEFAULT_WINDOW, WINDOWS
from soc_dashboard.views.overview import OverviewData, overview_data

WINDOW = "overview-window"
REFRESH = "overview-refresh"
TICK = "overview-tick"
STATS = "overview-stats"
BY_LEVEL = "overview-by-level"
BY_STATUS = "overview-by-status"
BY_ENGINE = "overview-by-engine"
DATASETS = "overview-datasets"
SOURCES = "overview-sources"
TIMELINE = "overview-timeline"
RECENT = "overview-recent"
PROBLEMS = "overview-problems"
REFRESH_MS = 60_000
GRAPH_CONFIG: Any = {"displayModeBar": False}


def _title() -> str:
    return t("nav.overview", current_language()) + " · SOC"


register_page(__name__, path="/", name="overview", order=0, title=_title)


def _card(text: str, body: Component, wide: bool = False) -> Component:
    return html.Section([html.H2(text), body], className="card wide" if wide else "card")


def _graph(component_id: str) -> Component:
    return dcc.Graph(id=component_id, config=GRAPH_CONFIG, figure={"data": [], "layout": {}})


def content(lang: str, **_: Any) -> Component:
    windows = [{"label": t(f"window.{w}", lang), "value": w} for w in WINDOWS]
    return html.Div(
        [
            page_heading(
                t("overview.heading", lang),
                dropdown(
                    WINDOW,
                    t("common.window", lang),
                    windows,
                    lang,
                    value=DEFAULT_WINDOW,
                    clearable=False,
                ),
                html.Button(
                    t("common.refresh", lang), id=REFRESH, n_clicks=0, className="secondary"
                ),
            ),
            html.Div(id=PROBLEMS),
            html.Div(id=STATS, className="stats"),
            html.Div(
                [
                    _card(t("overview.recent", lang), html.Div(id=RECENT), wide=True),
                    _card(t("overview.timeline", lang), _graph(TIMELINE), wide=True),
                    _card(t("overview.by_level", lang), _graph(BY_LEVEL)),
                    _card(t("overview.by_status", lang), _graph(BY_STATUS)),
                    _card(t("overview.by_engine", lang), _graph(BY_ENGINE)),
                    _card(t("overview.by_dataset", lang), _graph(DATASETS)),
                    _card(t("overview.top_sources", lang), html.Div(id=SOURCES)),
                ],
                className="cards",
            ),
            dcc.Interval(id=TICK, interval=REFRESH_MS),
        ]
    )


def stats(data: OverviewData, lang: str) -> list[Component]:
    events = data.events_in_window.value
    window = t(f"window.{data.window}", lang).lower()
    return [
        stat_card(
            "overview-new",
            t("overview.new_alerts", lang),
            data.new_alerts,
            "alarm" if data.new_alerts else "",
        ),
        stat_card(
            "overview-open-high",
            t("overview.open_high", lang),
            data.open_high,
            "alarm" if data.open_high else "",
        ),
        stat_card(
            "overview-alerts",
            t("overview.alerts_window", lang, window=window),
            data.alerts_in_window,
        ),
        stat_card(
            "overview-events",
            t("overview.events_window", lang, window=window),
            "—" if events is None else f"{events:,}".replace(",", "."),
        ),
    ]


def recent_list(data: OverviewData, lang: str) -> Component:
    tz = console().tz
    if not data.recent:
        return notice(t("common.none", lang))
    items = [
        html.Li(
            [
                html.Span(
                    label("level", a.rule_level, lang), className=f"badge level-{a.rule_level}"
                ),
                dcc.Link(f"#{a.id} {a.rule_title}", href=f"/alerts?alert={a.id}"),
                html.Span(
                    f" · {label('status', a.status, lang)} · "
                    f"{format_time(a.last_seen, tz, lang, seconds=False)}",
                    className="muted",
                ),
            ]
        )
        for a in data.recent
    ]
    return html.Div(
        [html.Ul(items, className="recent"), dcc.Link(t("overview.open_all", lang), href="/alerts")]
    )


def sources_table(data: OverviewData, lang: str) -> Component:
    if not data.top_sources.value:
        return notice(t("common.none", lang))
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("col.source_ip", lang), scope="col"),
                html.Th(t("col.count", lang), scope="col"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr([html.Td(b.key), html.Td(f"{b.count:,}".replace(",", "."))])
            for b in data.top_sources.value
        ]
    )
    return html.Table([head, body], className="simple")


def problems(data: OverviewData, lang: str) -> list[Component]:
    errors = {o.error for o in (data.events_in_window, data.datasets, data.top_sources) if o.error}
    return [notice(t("common.unavailable", lang, error=e), "error") for e in sorted(errors)]


def layout(**_: Any) -> Component:
    return guarded_page("overview.view", content)


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(STATS, "children"),
        Output(RECENT, "children"),
        Output(TIMELINE, "figure"),
        Output(BY_LEVEL, "figure"),
        Output(BY_STATUS, "figure"),
        Output(BY_ENGINE, "figure"),
        Output(DATASETS, "figure"),
        Output(SOURCES, "children"),
        Output(PROBLEMS, "children"),
        Input(WINDOW, "value"),
        Input(REFRESH, "n_clicks"),
        Input(TICK, "n_intervals"),
        State(SHELL_CONTEXT, "data"),
    )
    def refresh(window: Any, _clicks: Any, _ticks: Any, context: Any) -> tuple[Any, ...]:
        lang, cons = language_of(context), console()
        chosen = window if window in WINDOWS else DEFAULT_WINDOW
        with cons.state.session() as session:
            data = overview_data(session, cons.store, chosen, utc_now(), cons.tz)
            recent = recent_list(data, lang)
        return (
            stats(data, lang),
            recent,
            timeline_figure(data.timeline),
            counts_figure("level", data.by_level, lang),
            counts_figure("status", data.by_status, lang),
            counts_figure("engine", data.by_engine, lang),
            buckets_figure(data.datasets.value),
            sources_table(data, lang),
            problems(data, lang),
        )
