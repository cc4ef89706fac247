"""Small building blocks shared by the pages: labelled filters, tables, notices, stat cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import dash
from dash import ctx, dcc, html, no_update
from dash.development.base_component import Component

from soc_dashboard.context import current_actor, current_language
from soc_dashboard.i18n import label, normalise_language, t
from soc_dashboard.roles import allowed

SHELL_CONTEXT = "shell-context"  # the one shared dcc.Store: {"lang": ..., "tz": ...}


def aria(**values: str) -> dict[str, Any]:
    """``aria(label="x")`` → ``{"aria-label": "x"}``, to spread into a component's keywords."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in values.items()}


def register_page(module: str, **options: Any) -> None:
    """``dash.register_page`` with a typed signature (Dash's own is untyped)."""
    dash.register_page(module, **options)  # type: ignore[no-untyped-call]


def language_of(context: Any) -> str:
    return normalise_language(context.get("lang") if isinstance(context, dict) else None)


def guarded_page(permission: str, content: Callable[..., Component], **query: Any) -> Component:
    """A page's content in the caller's language, or a refusal when the role lacks ``permission``.

    The components ``content(lang, **query)`` creates must not depend on the role or the data:
    the app also calls it for every page to tell Dash which components exist (callback
    validation), whoever asks first.
    """
    lang = current_language()
    actor = current_actor()
    if actor is None or not allowed(actor.role, permission):
        return notice(t("common.forbidden", lang), "error")
    return content(lang, **query)


def notice(text: str, kind: str = "info", **kwargs: Any) -> Component:
    role = "alert" if kind == "error" else "status"
    return html.P(text, className=f"notice {kind}", role=role, **kwargs)


def page_heading(text: str, *extra: Component) -> Component:
    return html.Div([html.H1(text, className="page-title"), *extra], className="page-heading")


def options(values: Sequence[str], kind: str | None, lang: str) -> list[dict[str, Any]]:
    return [{"label": label(kind, v, lang) if kind else v, "value": v} for v in values]


def labelled(component_id: str, text: str, control: Component) -> Component:
    return html.Div(
        [html.Label(text, htmlFor=component_id, className="field-label"), control],
        className="field",
    )


DROPDOWN_LABELS = (
    "select_all",
    "deselect_all",
    "selected_count",
    "search",
    "clear_search",
    "clear_selection",
    "no_options_found",
)


def dropdown(
    component_id: str,
    text: str,
    choices: list[dict[str, Any]],
    lang: str,
    *,
    value: Any = None,
    multi: bool = False,
    clearable: bool = True,
    placeholder: str = "",
) -> Component:
    control = dcc.Dropdown(
        id=component_id,
        options=choices,
        value=value,
        multi=multi,
        clearable=clearable,
        placeholder=placeholder,
        searchable=True,
        labels=cast(Any, {name: t(f"dropdown.{name}", lang) for name in DROPDOWN_LABELS}),
    )
    return labelled(component_id, text, control)


def stat_card(component_id: str, text: str, value: Any, tone: str = "") -> Component:
    return html.Div(
        [html.Span(str(value), className="stat-value", id=component_id), html.Span(text)],
        className=f"stat {tone}".strip(),
    )


def _cell(row: dict[str, Any], field: str, open_type: str | None, open_field: str | None) -> Any:
    value = row.get(field, "")
    key = row.get(f"{field}_key")
    if field == open_field and open_type is not None:
        return html.Button(
            str(value),
            id={"type": open_type, "index": row["id"]},
            n_clicks=0,
            className="row-open",
            title=str(value),
        )
    if key:  # an enumerated value (level, status): a badge whose colour repeats its text
        return html.Span(str(value), className=f"badge {field}-{key}")
    return value


def clicked_index() -> Any:
    """In a callback on ``{"type": ..., "index": ALL}`` buttons: the clicked row's index.

    Such callbacks also fire when a table is redrawn (new buttons, no clicks): then no update.
    """
    triggered = ctx.triggered[0] if ctx.triggered else {}
    if not isinstance(ctx.triggered_id, dict) or not triggered.get("value"):
        return no_update
    return ctx.triggered_id.get("index")


def _row(
    row: dict[str, Any],
    columns: Sequence[tuple[str, str]],
    open_type: str | None,
    open_field: str | None,
    selected: Any,
) -> Component:
    cells = [
        html.Td(_cell(row, field, open_type, open_field), className=f"col-{field}")
        for field, _ in columns
    ]
    if selected is not None and row.get("id") == selected:
        return html.Tr(cells, className="selected", **aria(current="true"))
    return html.Tr(cells)


def table(
    columns: Sequence[tuple[str, str]],
    rows: list[dict[str, Any]],
    *,
    caption: str | None = None,
    open_type: str | None = None,
    open_field: str | None = None,
    selected: Any = None,
) -> Component:
    """A plain, accessible HTML table. With ``open_type``, the ``open_field`` cell of each row is
    a button whose pattern-matching id ``{"type": open_type, "index": row["id"]}`` opens it."""
    head = html.Thead(
        html.Tr([html.Th(name, scope="col", className=f"col-{field}") for field, name in columns])
    )
    body = html.Tbody([_row(row, columns, open_type, open_field, selected) for row in rows])
    parts: list[Component] = [html.Caption(caption, className="sr-only")] if caption else []
    return html.Div(html.Table([*parts, head, body], className="grid"), className="table-wrap")
