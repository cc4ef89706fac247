"""The record editor a page embeds: a form for one kind of record (system, agency, evidence) with
save, delete and cancel, opened by an "add" button or a table row, in one server-side callback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from soc.errors import AuthError
from soc_dashboard.components import SHELL_CONTEXT, aria, clicked_index, language_of, notice
from soc_dashboard.context import console, current_actor
from soc_dashboard.forms import GENERAL, Field, Options, error_id, field_id, render_fields
from soc_dashboard.i18n import t
from soc_dashboard.views.records import (
    EditorState,
    RecordKind,
    delete_record,
    key_of,
    new_record,
    open_record,
    refused,
    save_record,
)


@dataclass(frozen=True, slots=True)
class EditorIds:
    """Component ids of one editor; they start with the page's own prefix (the gate reads it)."""

    prefix: str
    new: str
    open: str  # pattern-matching type of the table rows' open buttons
    opened: str  # the row last opened: {"key": id, "nonce": …}
    section: str
    title: str
    mode: str
    save: str
    delete: str
    delete_wrap: str
    cancel: str
    result: str
    version: str


def editor_ids(prefix: str) -> EditorIds:
    parts = [name for name in EditorIds.__dataclass_fields__ if name != "prefix"]
    return EditorIds(prefix, *[f"{prefix}-{name.replace('_', '-')}" for name in parts])


def _fieldsets(ids: EditorIds, kind: RecordKind, lang: str, options: Options) -> list[Component]:
    """Consecutive fields of one group (``classification.*``) in a fieldset with its legend."""
    runs: list[tuple[str | None, list[Field]]] = []
    for spec in kind.fields:
        group = spec.name.split(".", 1)[0] if "." in spec.name else None
        if not runs or runs[-1][0] != group:
            runs.append((group, []))
        runs[-1][1].append(spec)
    parts: list[Component] = []
    for group, fields in runs:
        grid = html.Div(render_fields(ids.prefix, fields, lang, options), className="form-grid")
        if group is None:
            parts.append(grid)
        else:
            legend = html.Legend(t(f"group.{group}", lang))
            parts.append(html.Fieldset([legend, grid], className="form-group"))
    return parts


def add_button(ids: EditorIds, text: str) -> Component:
    return html.Button(text, id=ids.new, n_clicks=0, className="primary")


def editor_parts(ids: EditorIds, kind: RecordKind, lang: str, options: Options) -> Component:
    """The result line, the (hidden) form and its stores; present for every role."""
    delete = dcc.ConfirmDialogProvider(
        html.Button(t("edit.delete", lang), className="secondary danger", n_clicks=0),
        id=ids.delete,
        message=t("edit.confirm_delete", lang),
    )
    section = html.Section(
        [
            html.H2(id=ids.title),
            *_fieldsets(ids, kind, lang, options),
            html.P(id=error_id(ids.prefix, GENERAL), className="field-error", role="alert"),
            html.Div(
                [
                    html.Button(t("edit.save", lang), id=ids.save, n_clicks=0, className="primary"),
                    html.Button(
                        t("edit.cancel", lang), id=ids.cancel, n_clicks=0, className="secondary"
                    ),
                    html.Div(delete, id=ids.delete_wrap, hidden=True),
                ],
                className="form-buttons",
            ),
        ],
        id=ids.section,
        hidden=True,
        className="card wide editor",
        **aria(label=t(f"edit.form_{kind.name}", lang)),
    )
    return html.Div(
        [
            html.Div(id=ids.result, role="status", **aria(live="polite")),
            section,
            dcc.Store(id=ids.mode, data=None),
            dcc.Store(id=ids.opened, data=None),
            dcc.Store(id=ids.version, data=0),
        ]
    )


def _dispatch(
    ids: EditorIds, kind: RecordKind, values: dict[str, Any], opened: Any, mode: Any, lang: str
) -> Any:
    trigger = ctx.triggered_id
    actor = current_actor()
    if trigger == ids.cancel:
        return EditorState(None)
    if trigger == ids.new:
        return new_record(actor, kind)
    if trigger == ids.opened:
        key = opened.get("key") if isinstance(opened, dict) else None
        if not isinstance(key, str):
            raise PreventUpdate
        with console().state.session() as session:
            return open_record(session, actor, kind, key, lang)
    with console().state.session() as session:
        if trigger == ids.save:
            return save_record(session, actor, kind, values, mode, lang)
        if trigger == ids.delete:
            return delete_record(session, actor, kind, mode, lang)
    raise PreventUpdate


def outputs_of(state: EditorState, kind: RecordKind, lang: str, version: Any) -> tuple[Any, ...]:
    """The editor's callback outputs, in the order ``register_editor`` declares them."""
    names = [f.name for f in kind.fields]
    values = [no_update if state.values is None else state.values.get(n) for n in names]
    errors = ["; ".join(state.errors[n]) if n in state.errors else None for n in [*names, GENERAL]]
    key = key_of(state.mode)
    title = t(f"edit.new_{kind.name}", lang) if key is None else t("edit.editing", lang, id=key)
    shown = notice(*state.notice) if state.notice else None
    bumped = (version if isinstance(version, int) else 0) + 1 if state.changed else no_update
    return (
        *values,
        *errors,
        state.mode,
        state.mode is None,
        key is not None,
        title,
        key is None,
        shown,
        bumped,
    )


def register_editor(app: Dash, ids: EditorIds, kind: RecordKind) -> None:
    names = [f.name for f in kind.fields]

    @app.callback(
        *[Output(field_id(ids.prefix, n), "value") for n in names],
        *[Output(error_id(ids.prefix, n), "children") for n in [*names, GENERAL]],
        Output(ids.mode, "data"),
        Output(ids.section, "hidden"),
        Output(field_id(ids.prefix, "id"), "disabled"),
        Output(ids.title, "children"),
        Output(ids.delete_wrap, "hidden"),
        Output(ids.result, "children"),
        Output(ids.version, "data"),
        Input(ids.new, "n_clicks"),
        Input(ids.opened, "data"),
        Input(ids.save, "n_clicks"),
        Input(ids.delete, "submit_n_clicks"),
        Input(ids.cancel, "n_clicks"),
        *[State(field_id(ids.prefix, n), "value") for n in names],
        State(ids.mode, "data"),
        State(ids.version, "data"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,
    )
    def edit(*args: Any) -> tuple[Any, ...]:
        values = dict(zip(names, args[5 : 5 + len(names)], strict=True))
        mode, version, context = args[-3:]
        lang = language_of(context)
        try:
            state = _dispatch(ids, kind, values, args[1], mode, lang)
        except AuthError:
            state = refused(lang)
        return outputs_of(state, kind, lang, version)

    # Apart from the editor: Dash does not fire a callback on its other inputs while an ALL
    # pattern among them matches nothing (an empty table).
    @app.callback(
        Output(ids.opened, "data"),
        Input({"type": ids.open, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_row(_clicks: Any) -> Any:
        key = clicked_index()
        if not isinstance(key, str):
            raise PreventUpdate  # the table was redrawn, nothing was clicked
        return {"key": key, "nonce": uuid.uuid4().hex}
