"""Record forms: fields described once, drawn as labelled controls, read back into the dict the
inventory's pydantic models validate, and validation errors put back beside their fields."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import yaml
from dash import dcc, html
from dash.development.base_component import Component
from pydantic import BaseModel, ValidationError

from soc.inventory.model import link_fields, link_text
from soc_dashboard.components import DROPDOWN_LABELS
from soc_dashboard.i18n import label, t

Kind = Literal[
    "text", "textarea", "lines", "select", "multi", "check", "number", "links", "mapping"
]
MAX_TEXT = 4000
MAX_UPLOAD_BYTES = 2 * 1_048_576
GENERAL = "_record"  # errors that belong to no single field


@dataclass(frozen=True, slots=True)
class Field:
    """One form field: ``name`` is the record's key (``classification.x`` for nested ones)."""

    name: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    choice_kind: str | None = None  # i18n kind of the choices' labels (``zone`` → ``zone.egov``)
    required: bool = False
    hint: str | None = None  # i18n key of a short help text


class FormError(Exception):
    """A value the form itself cannot turn into record data (before the model sees it)."""

    def __init__(self, field: str, key: str, **values: object) -> None:
        super().__init__(key)
        self.field, self.key, self.values = field, key, values


def field_id(form: str, name: str) -> str:
    """``systems-sys`` + ``classification.ops_24x7`` → ``systems-sys-f-classification-ops_24x7``.

    Dash ids may not hold dots; ``-f-`` keeps fields apart from the editor's own parts (a field
    ``title`` beside the editor's title); the page prefix tells the gate the permission."""
    return f"{form}-f-{name.replace('.', '-')}"


def error_id(form: str, name: str) -> str:
    return f"{field_id(form, name)}-error"


def choices(spec: Field, lang: str) -> list[dict[str, Any]]:
    """The fixed choices of a select field, labelled in ``lang``."""
    return [
        {"label": label(spec.choice_kind, v, lang) if spec.choice_kind else v, "value": v}
        for v in spec.choices
    ]


Options = Mapping[str, Sequence[dict[str, Any]]]  # field name → extra choices (from the data)


def _control(form: str, spec: Field, lang: str, options: Options) -> Component:
    cid = field_id(form, spec.name)
    if spec.kind in ("select", "multi"):
        return dcc.Dropdown(
            id=cid,
            options=[*choices(spec, lang), *options.get(spec.name, ())],
            multi=spec.kind == "multi",
            searchable=True,
            clearable=not spec.required,
            placeholder="",
            labels=cast(Any, {name: t(f"dropdown.{name}", lang) for name in DROPDOWN_LABELS}),
        )
    if spec.kind == "check":
        return dcc.Checklist(
            id=cid, options=[{"label": t("form.yes", lang), "value": "on"}], value=[]
        )
    if spec.kind in ("textarea", "lines", "links", "mapping"):
        return dcc.Textarea(id=cid, value="", rows=3, maxLength=MAX_TEXT, className="form-text")
    return dcc.Input(
        id=cid,
        type="number" if spec.kind == "number" else "text",
        value=None,
    )


def render_fields(
    form: str,
    fields: Sequence[Field],
    lang: str,
    options: Options | None = None,
) -> list[Component]:
    """The labelled controls of ``fields``, each with its (empty) error line below it."""
    out: list[Component] = []
    for spec in fields:
        text = t(f"field.{spec.name}", lang) + (" *" if spec.required else "")
        parts: list[Component] = [
            html.Label(text, className="field-label", htmlFor=field_id(form, spec.name)),
            _control(form, spec, lang, options or {}),
        ]
        if spec.hint:
            parts.append(html.Small(t(spec.hint, lang), className="field-hint"))
        parts.append(html.Span(id=error_id(form, spec.name), className="field-error", role="alert"))
        out.append(html.Div(parts, className=f"field form-field kind-{spec.kind}"))
    return out


# -- form values → record data ------------------------------------------------------------------


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _links(spec: Field, text: Any) -> list[dict[str, str]]:
    links = []
    for n, line in enumerate(_lines(text), 1):
        link = link_fields(line)
        if link is None:
            raise FormError(spec.name, "form.bad_link", line=n)
        links.append(link)
    return links


def _mapping(spec: Field, text: Any) -> dict[str, Any]:
    if not str(text or "").strip():
        return {}
    try:
        found = yaml.safe_load(str(text))
    except yaml.YAMLError as e:
        raise FormError(spec.name, "form.bad_mapping") from e
    if not isinstance(found, dict) or not all(isinstance(k, str) for k in found):
        raise FormError(spec.name, "form.bad_mapping")
    return found


def _value(spec: Field, raw: Any) -> Any:
    """The record value of one control's value; ``None`` means "not given" (model default)."""
    if spec.kind == "check":
        return isinstance(raw, list) and "on" in raw
    if spec.kind == "lines":
        return _lines(raw)
    if spec.kind == "links":
        return _links(spec, raw)
    if spec.kind == "mapping":
        return _mapping(spec, raw)
    if spec.kind == "multi":
        return [str(v) for v in raw] if isinstance(raw, list) else []
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.kind == "number" and not isinstance(raw, int | float):
        raise FormError(spec.name, "form.bad_number")
    return raw.strip() if isinstance(raw, str) else raw


def record_data(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """The dict for ``Model.model_validate``: nested by dotted names, empty values left out."""
    data: dict[str, Any] = {}
    for spec in fields:
        value = _value(spec, values.get(spec.name))
        if value is None:
            continue
        target = data
        *parents, last = spec.name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return data


def form_values(fields: Sequence[Field], record: BaseModel | None) -> dict[str, Any]:
    """What each control shows for ``record`` (empty controls when None)."""
    data = record.model_dump(mode="json") if record is not None else {}
    out: dict[str, Any] = {}
    for spec in fields:
        value: Any = data
        for part in spec.name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        out[spec.name] = _shown(spec, value)
    return out


def _shown(spec: Field, value: Any) -> Any:
    if spec.kind == "check":
        return ["on"] if value else []
    if spec.kind == "multi":
        return list(value or [])
    if spec.kind == "lines":
        return "\n".join(str(v) for v in value or [])
    if spec.kind == "links":
        return "\n".join(link_text(link) for link in value or [])
    if spec.kind == "mapping":
        if not value:
            return ""
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()
    if spec.kind == "textarea":
        return value or ""
    if spec.kind == "select" and value is not None:
        return str(value)  # levels are numbers in the record, strings among the choices
    return value


# -- validation ---------------------------------------------------------------------------------

Translate = Callable[..., str]

_PYDANTIC_KEYS = {
    "missing": "form.required",
    "literal_error": "form.bad_choice",
    "string_too_short": "form.required",
    "string_too_long": "form.too_long",
    "int_parsing": "form.bad_number",
    "int_from_float": "form.bad_number",
    "greater_than_equal": "form.out_of_range",
    "less_than_equal": "form.out_of_range",
    "date_from_datetime_parsing": "form.bad_date",
    "date_parsing": "form.bad_date",
    "date_from_datetime_inexact": "form.bad_date",
    "extra_forbidden": "form.unknown_field",
}


def _field_of(loc: Sequence[Any], names: set[str]) -> tuple[str, int | None]:
    """The form field a pydantic error location points at, and the list item's line if any."""
    parts = [str(p) for p in loc]
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in names:
            rest = loc[end:] if end < len(loc) else ()
            index = rest[0] if rest and isinstance(rest[0], int) else None
            return name, index + 1 if index is not None else None
    return GENERAL, None


def validation_errors(
    error: ValidationError, fields: Sequence[Field], lang: str
) -> dict[str, list[str]]:
    """Field name → messages in ``lang`` (``GENERAL`` for errors of the whole record)."""
    names = {f.name for f in fields}
    found: dict[str, list[str]] = {}
    for item in error.errors():
        name, line = _field_of(item["loc"], names)
        key = _PYDANTIC_KEYS.get(item["type"])
        # Our validators' own messages ("not a CIDR block: …") say more than a generic text.
        text = t(key, lang) if key else str(item["msg"]).removeprefix("Value error, ")
        if line is not None:
            text = t("form.line", lang, line=line, text=text)
        found.setdefault(name, []).append(text)
    return found


def validate(
    model: type[BaseModel], fields: Sequence[Field], values: Mapping[str, Any], lang: str
) -> tuple[BaseModel | None, dict[str, list[str]]]:
    """The record, or the errors to show beside each field."""
    try:
        data = record_data(fields, values)
    except FormError as e:
        return None, {e.field: [t(e.key, lang, **e.values)]}
    try:
        return model.model_validate(data), {}
    except ValidationError as e:
        return None, validation_errors(e, fields, lang)


# -- uploads ------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """An upload that is not a usable file: ``key`` is the i18n text saying why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def upload_text(contents: Any, filename: Any, limit: int = MAX_UPLOAD_BYTES) -> tuple[str, str]:
    """``dcc.Upload`` contents (a data URL) → (UTF-8 text, format ``yaml`` | ``csv``)."""
    name = str(filename or "")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = {"yaml": "yaml", "yml": "yaml", "csv": "csv"}.get(suffix)
    if fmt is None:
        raise UploadRefused("upload.bad_type")
    if not isinstance(contents, str) or "," not in contents:
        raise UploadRefused("upload.unreadable")
    encoded = contents.split(",", 1)[1]
    if len(encoded) > (limit + 2) // 3 * 4:
        raise UploadRefused("upload.too_large", limit=limit // 1_048_576)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as e:
        raise UploadRefused("upload.unreadable") from e
    if len(raw) > limit:
        raise UploadRefused("upload.too_large", limit=limit // 1_048_576)
    try:
        return raw.decode("utf-8-sig"), fmt
    except UnicodeDecodeError as e:
        raise UploadRefused("upload.not_utf8") from e
