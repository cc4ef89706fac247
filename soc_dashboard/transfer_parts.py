"""The import/export strip a page embeds: download buttons (YAML, CSV), an upload area limited in
size, and the result of an upload with every problem of a refused file listed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from dash import Dash, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from sqlalchemy.orm import Session

from soc.errors import AuthError
from soc_dashboard.components import SHELL_CONTEXT, aria, language_of, notice
from soc_dashboard.context import Actor, console, current_actor
from soc_dashboard.forms import MAX_UPLOAD_BYTES
from soc_dashboard.i18n import t
from soc_dashboard.views.transfer import ImportOutcome


@dataclass(frozen=True, slots=True)
class TransferIds:
    download: str
    yaml: str
    csv: str
    upload: str
    result: str
    version: str


def transfer_ids(page: str) -> TransferIds:
    return TransferIds(
        download=f"{page}-download",
        yaml=f"{page}-download-yaml",
        csv=f"{page}-download-csv",
        upload=f"{page}-upload",
        result=f"{page}-upload-result",
        version=f"{page}-upload-version",
    )


MIME = {"yaml": "application/yaml", "csv": "text/csv"}


def file_for_download(text: str, name: str) -> dict[str, Any]:
    """What ``dcc.Download`` takes (as ``dcc.send_string`` builds it, typed)."""
    fmt = name.rsplit(".", 1)[-1]
    return {"content": text, "filename": name, "type": MIME.get(fmt), "base64": False}


def chosen_format(triggered: Any, csv_button: str) -> Literal["yaml", "csv"]:
    return "csv" if triggered == csv_button else "yaml"


def download_buttons(ids: TransferIds, lang: str) -> Component:
    return html.Div(
        [
            html.Button(
                t("transfer.download_yaml", lang), id=ids.yaml, n_clicks=0, className="secondary"
            ),
            html.Button(
                t("transfer.download_csv", lang), id=ids.csv, n_clicks=0, className="secondary"
            ),
            dcc.Download(id=ids.download),
        ],
        className="form-buttons",
    )


def upload_area(ids: TransferIds, lang: str, hint: str, *, hidden: bool) -> Component:
    """Present for every role (callbacks need it), shown only to those who may import."""
    return html.Div(
        [
            dcc.Upload(
                html.Div(t("transfer.upload", lang, limit=MAX_UPLOAD_BYTES // 1_048_576)),
                id=ids.upload,
                max_size=MAX_UPLOAD_BYTES,
                accept=".yaml,.yml,.csv,text/csv,application/x-yaml,text/yaml",
                multiple=False,
                className="upload",
            ),
            html.Small(hint, className="field-hint"),
            html.Div(id=ids.result, role="status", **aria(live="polite")),
            dcc.Store(id=ids.version, data=0),
        ],
        hidden=hidden,
    )


def import_result(outcome: ImportOutcome) -> Component:
    if outcome.ok:
        return notice(outcome.message, "success")
    parts: list[Component] = [notice(outcome.message, "error")]
    if outcome.problems:
        parts.append(html.Ul([html.Li(p) for p in outcome.problems], className="problems"))
    return html.Div(parts)


Exporter = Callable[[Session, Actor | None, Literal["yaml", "csv"]], tuple[str, str]]
Importer = Callable[[Session, Actor | None, Any, Any, str], ImportOutcome]


def register_transfer(app: Dash, ids: TransferIds, export: Exporter, upload: Importer) -> None:
    """The download and upload callbacks of a page's file area (the views check the roles)."""

    @app.callback(
        Output(ids.download, "data"),
        Input(ids.yaml, "n_clicks"),
        Input(ids.csv, "n_clicks"),
        prevent_initial_call=True,
    )
    def download(_yaml: Any, _csv: Any) -> Any:
        fmt = chosen_format(ctx.triggered_id, ids.csv)
        with console().state.session() as session:
            text, name = export(session, current_actor(), fmt)
        return file_for_download(text, name)

    @app.callback(
        Output(ids.result, "children"),
        Output(ids.version, "data"),
        Input(ids.upload, "contents"),
        State(ids.upload, "filename"),
        State(ids.version, "data"),
        State(SHELL_CONTEXT, "data"),
        prevent_initial_call=True,
    )
    def take_upload(contents: Any, filename: Any, version: Any, context: Any) -> tuple[Any, Any]:
        lang = language_of(context)
        try:
            with console().state.session() as session:
                outcome = upload(session, current_actor(), contents, filename, lang)
        except AuthError:
            return notice(t("edit.not_permitted", lang), "error"), version
        return import_result(outcome), (version or 0) + (1 if outcome.ok else 0)
