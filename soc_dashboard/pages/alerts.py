"""Alerts page: the filtered queue, one alert in detail, acknowledge / close / false positive."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component

from soc.errors import AuthError, SocError
from soc_dashboard.components import (
    SHELL_CONTEXT,
    aria,
    clicked_index,
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
from soc_dashboard.i18n import label, t
from soc_dashboard.roles import allowed
from soc_dashboard.views.alert_detail import load_detail, render_detail, render_heading
from soc_dashboard.views.alerts import (
    ENGINES,
    LEVELS,
    OPEN_STATUSES,
    STATUSES,
    TRANSITIONS,
    AlertFilter,
    TransitionRefused,
    actions_for,
    alert_rows,
    apply_action,
    list_alerts,
    system_choices,
)
from soc_dashboard.views.common import clamp

STATUS = "alerts-status"
LEVEL = "alerts-level"
ENGINE = "alerts-engine"
SYSTEM = "alerts-system"
REFRESH = "alerts-refresh"
TICK = "alerts-tick"
TABLE = "alerts-table"
OPEN = "alerts-open"  # pattern-matching ids of the per-row "open" buttons
COUNT = "alerts-count"
SELECTED = "alerts-selected"
VERSION = "alerts-version"
DETAIL = "alerts-detail"
HEAD = "alerts-detail-head"
ACTIONS = "alerts-actions"
NOTE = "alerts-note"
RESULT = "alerts-result"
BUTTONS = {action: f"alerts-action-{action.replace('_', '-')}" for action in TRANSITIONS}

COLUMNS = (
    ("last_seen", "col.last_seen"),
    ("level", "col.level"),
    ("title", "col.title"),
    ("status", "col.status"),
    ("count", "col.count"),
    ("source_ip", "col.source_ip"),
    ("system", "col.system"),
)
REFRESH_MS = 60_000


def _title() -> str:
    return t("nav.alerts", current_language()) + " · SOC"


register_page(__name__, path="/alerts", name="alerts", order=1, title=_title)


def _filters(lang: str, systems: list[str]) -> Component:
    return html.Div(
        [
            dropdown(
                STATUS,
                t("col.status", lang),
                options(STATUSES, "status", lang),
                lang,
                value=list(OPEN_STATUSES),
                multi=True,
                placeholder=t("common.all", lang),
            ),
            dropdown(
                LEVEL,
                t("col.level", lang),
                options(LEVELS, "level", lang),
                lang,
                multi=True,
                placeholder=t("common.all", lang),
            ),
            dropdown(
                ENGINE,
                t("col.engine", lang),
                options(ENGINES, "engine", lang),
                lang,
                multi=True,
                placeholder=t("common.all", lang),
            ),
            dropdown(
                SYSTEM,
                t("col.system", lang),
                options(systems, None, lang),
                lang,
                placeholder=t("common.all", lang),
            ),
        ],
        className="filters",
        role="search",
        **aria(label=t("alerts.filters", lang)),
    )


def _action_bar(lang: str) -> Component:
    """Always in the layout (callbacks need their components); shown when the role may act."""
    buttons = [
        html.Button(
            t(f"action.{action}", lang),
            id=button,
            n_clicks=0,
            disabled=True,
            className=f"action action-{action.replace('_', '-')}",
        )
        for action, button in BUTTONS.items()
    ]
    return html.Section(
        [
            html.H3(t("alerts.actions", lang)),
            html.Div(
                [
                    html.Label(t("alerts.note", lang), htmlFor=NOTE, className="field-label"),
                    dcc.Input(id=NOTE, type="text", maxLength=500, value="", className="note"),
                ],
                className="field",
            ),
            html.Div(buttons, className="action-buttons"),
        ],
        id=ACTIONS,
        className="actions",
        hidden=True,
    )


def content(lang: str, alert: str | None = None, **_: Any) -> Component:
    actor = current_actor()
    can_act = actor is not None and allowed(actor.role, "alerts.act")
    with console().state.session() as session:
        systems = system_choices(session)
    selected = clamp(alert, 1, 2**31, 0) or None
    return html.Div(
        [
            page_heading(
                t("alerts.heading", lang),
                html.Button(
                    t("common.refresh", lang), id=REFRESH, n_clicks=0, className="secondary"
                ),
            ),
            _filters(lang, systems),
            html.P(id=COUNT, className="count", role="status"),
            html.Div(
                [
                    html.Div(id=TABLE, className="queue"),
                    html.Div(
                        [
                            html.Div(id=HEAD),
                            html.P(id=RESULT, role="status", **aria(live="polite")),
                            _action_bar(lang),
                            html.Div(None if can_act else notice(t("alerts.read_only", lang))),
                            html.Div(notice(t("alerts.pick", lang)), id=DETAIL),
                        ],
                        className="detail-pane",
                    ),
                ],
                className="split",
            ),
            dcc.Store(id=SELECTED, data=selected),
            dcc.Store(id=VERSION, data=0),
            dcc.Interval(id=TICK, interval=REFRESH_MS),
        ]
    )


def layout(alert: str | None = None, **_: Any) -> Component:
    return guarded_page("alerts.view", content, alert=alert)


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(TABLE, "children"),
        Output(COUNT, "children"),
        Input(STATUS, "value"),
        Input(LEVEL, "value"),
        Input(ENGINE, "value"),
        Input(SYSTEM, "value"),
        Input(REFRESH, "n_clicks"),
        Input(TICK, "n_intervals"),
        Input(VERSION, "data"),
        Input(SELECTED, "data"),
        State(SHELL_CONTEXT, "data"),
    )
    def refresh_table(
        statuses: Any,
        levels: Any,
        engines: Any,
        system: Any,
        _clicks: Any,
        _ticks: Any,
        _version: Any,
        selected: Any,
        context: Any,
    ) -> tuple[Any, ...]:
        lang, cons = language_of(context), console()
        flt = AlertFilter.from_inputs(statuses, levels, engines, system)
        with cons.state.session() as session:
            rows = alert_rows(list_alerts(session, flt), lang, cons.tz)
        count = t("alerts.count", lang, count=len(rows))
        if len(rows) >= flt.limit:
            count += " · " + t("common.limited", lang, shown=len(rows), limit=flt.limit)
        columns = [(f, t(k, lang)) for f, k in COLUMNS]
        return table(
            columns,
            rows,
            caption=t("alerts.heading", lang),
            open_type=OPEN,
            open_field="title",
            selected=selected,
        ), count

    @app.callback(
        Output(SELECTED, "data"),
        Input({"type": OPEN, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def select(_clicks: Any) -> Any:
        return clicked_index()

    @app.callback(
        Output(HEAD, "children"),
        Output(DETAIL, "children"),
        Output(ACTIONS, "hidden"),
        *[Output(button, "disabled") for button in BUTTONS.values()],
        Input(SELECTED, "data"),
        Input(VERSION, "data"),
        State(SHELL_CONTEXT, "data"),
    )
    def show_detail(selected: Any, _version: Any, context: Any) -> tuple[Any, ...]:
        lang, cons = language_of(context), console()
        closed = (True,) * len(BUTTONS)
        if not isinstance(selected, int):
            return (None, notice(t("alerts.pick", lang)), True, *closed)
        with cons.state.session() as session:
            detail = load_detail(session, cons.store, selected)
            if detail is None:
                missing = notice(t("alerts.missing", lang, id=selected), "error")
                return (None, missing, True, *closed)
            possible = actions_for(detail.alert)
            actor = current_actor()
            can_act = actor is not None and allowed(actor.role, "alerts.act")
            return (
                render_heading(detail.alert, lang),
                render_detail(detail, lang, cons.tz),
                not can_act,
                *[action not in possible for action in BUTTONS],
            )

    @app.callback(
        Output(RESULT, "children"),
        Output(VERSION, "data"),
        Output(NOTE, "value"),
        *[Input(button, "n_clicks") for button in BUTTONS.values()],
        State(SELECTED, "data"),
        State(NOTE, "value"),
        State(VERSION, "data"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,
    )
    def act(*args: Any) -> tuple[Any, ...]:
        selected, note, version, context = args[-4:]
        lang = language_of(context)
        action = next((a for a, b in BUTTONS.items() if b == ctx.triggered_id), None)
        actor = current_actor()
        if action is None or actor is None or not isinstance(selected, int):
            return dash.no_update, dash.no_update, dash.no_update
        return _act(selected, action, note, version, lang)


def _act(alert_id: int, action: str, note: Any, version: Any, lang: str) -> tuple[Any, ...]:
    actor = current_actor()
    assert actor is not None  # checked by the caller; keeps mypy's narrowing
    try:
        with console().state.session() as session:
            alert = apply_action(
                session, alert_id, action, actor, note if isinstance(note, str) else ""
            )
            status = alert.status
    except TransitionRefused as e:
        reason = t("alerts.bad_transition", lang, status=label("status", e.status, lang))
        return notice(t("alerts.refused", lang, reason=reason), "error"), (version or 0) + 1, note
    except AuthError:
        reason = t("alerts.not_permitted", lang)
        return notice(t("alerts.refused", lang, reason=reason), "error"), dash.no_update, note
    except SocError as e:
        return notice(t("alerts.refused", lang, reason=str(e)), "error"), dash.no_update, note
    text = t("alerts.updated", lang, id=alert_id, status=label("status", status, lang))
    return notice(text, "success"), (version or 0) + 1, ""
