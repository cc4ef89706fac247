"""Editing one inventory or evidence record from a console form: open, validate with the same
models as the file import, save or delete through ``soc.inventory``, audit every change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel
from sqlalchemy.orm import Session

from soc.inventory import (
    AgencyKind,
    AgencyRecord,
    EvidenceKind,
    EvidenceRecord,
    Function,
    Harm,
    IcsGrade,
    InfoType,
    InfraScope,
    RecordRefused,
    SystemRecord,
    SystemType,
    Zone,
    delete_agency,
    delete_evidence,
    delete_system,
    evidence_record,
    evidence_row,
    system_record,
    upsert_agency,
    upsert_evidence,
    upsert_system,
)
from soc.state.models import Agency, System
from soc_dashboard import audit
from soc_dashboard.context import Actor
from soc_dashboard.forms import GENERAL, Field, form_values, validate
from soc_dashboard.i18n import t
from soc_dashboard.roles import require

LEVELS = ("1", "2", "3", "4", "5")
SYSTEM_STATUSES = get_args(SystemRecord.model_fields["status"].annotation)

SYSTEM_FIELDS: tuple[Field, ...] = (
    Field("id", required=True, hint="hint.id"),
    Field("name", required=True),
    Field("name_en"),
    Field("owner", "select", required=True),
    Field("operator", "select"),
    Field("zone", "select", get_args(Zone), "zone", required=True),
    Field("hosting"),
    Field("approved_level", "select", LEVELS),
    Field("status", "select", SYSTEM_STATUSES, "system_status", required=True),
    Field("go_live", hint="hint.date"),
    Field("instrumentable", "check"),
    Field("classification.system_type", "select", get_args(SystemType), "system_type", True),
    Field("classification.information_types", "multi", get_args(InfoType), "info_type"),
    Field("classification.state_secret_harm", "select", get_args(Harm), "harm"),
    Field("classification.online_public_service_level", "select", LEVELS[:4]),
    Field("classification.administrative_procedures", "check"),
    Field("classification.conditional_business_line", "check"),
    Field("classification.personal_data_users", "number"),
    Field("classification.personal_data_basic_subjects", "number"),
    Field("classification.personal_data_sensitive_subjects", "number"),
    Field("classification.infrastructure_scope", "select", get_args(InfraScope), "infra_scope"),
    Field("classification.ops_24x7", "check"),
    Field("classification.national_egov_24x7", "check"),
    Field("classification.ics_construction_grade", "select", get_args(IcsGrade)),
    Field("classification.national_security_works", "check"),
    Field("classification.national_important_data", "check"),
    Field("classification.pm_designated", "check"),
    Field("classification.national_security_list", "check"),
    Field("classification.risk_assessed_level", "select", LEVELS),
    Field("classification.functions", "multi", get_args(Function), "function"),
    Field("ip_ranges", "lines", hint="hint.ip_ranges"),
    Field("hostnames", "lines", hint="hint.lines"),
    Field("urls", "lines", hint="hint.lines"),
    Field("log_sources", "lines", hint="hint.log_sources"),
    Field("internet_links", "links", hint="hint.links"),
    Field("notes", "textarea"),
)
AGENCY_FIELDS: tuple[Field, ...] = (
    Field("id", required=True, hint="hint.id"),
    Field("name", required=True),
    Field("name_en"),
    Field("kind", "select", get_args(AgencyKind), "agency_kind", required=True),
    Field("parent", "select"),
    Field("ip_ranges", "lines", hint="hint.ip_ranges"),
)
EVIDENCE_FIELDS: tuple[Field, ...] = (
    Field("id", required=True, hint="hint.id"),
    Field("kind", "select", get_args(EvidenceKind), "evidence_kind", required=True),
    Field("system", "select", hint="hint.subject"),
    Field("agency", "select"),
    Field("title", "textarea"),
    Field("issued_on", hint="hint.date"),
    Field("expires_on", hint="hint.date"),
    Field("assessor"),
    Field("provider"),
    Field("reference", hint="hint.reference"),
    Field("details", "mapping", hint="hint.details"),
)


@dataclass(frozen=True, slots=True)
class RecordKind:
    """What the generic editor needs to know about one kind of record."""

    name: Literal["system", "agency", "evidence"]
    permission: str
    model: type[BaseModel]
    fields: tuple[Field, ...]
    load: Callable[[Session, str], BaseModel | None]
    save: Callable[[Session, Any, bool], bool]
    remove: Callable[[Session, str], None]
    defaults: Mapping[str, Any] = field(default_factory=dict)


def _load_system(session: Session, key: str) -> BaseModel | None:
    row = session.get(System, key)
    return system_record(row) if row is not None else None


def _load_agency(session: Session, key: str) -> BaseModel | None:
    row = session.get(Agency, key)
    if row is None:
        return None
    return AgencyRecord.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "name_en": row.name_en,
            "kind": row.kind,
            "parent": row.parent_id,
            "ip_ranges": row.ip_ranges or [],
        }
    )


def _load_evidence(session: Session, key: str) -> BaseModel | None:
    row = evidence_row(session, key)
    return evidence_record(row) if row is not None else None


SYSTEM = RecordKind(
    "system",
    "systems.edit",
    SystemRecord,
    SYSTEM_FIELDS,
    _load_system,
    lambda s, r, create: upsert_system(s, r, create=create),
    delete_system,
    {"instrumentable": ["on"], "status": "operating", "zone": "datacenter"},
)
AGENCY = RecordKind(
    "agency",
    "systems.edit",
    AgencyRecord,
    AGENCY_FIELDS,
    _load_agency,
    lambda s, r, create: upsert_agency(s, r, create=create),
    delete_agency,
    {"kind": "department"},
)
EVIDENCE = RecordKind(
    "evidence",
    "evidence.edit",
    EvidenceRecord,
    EVIDENCE_FIELDS,
    _load_evidence,
    lambda s, r, create: upsert_evidence(s, r, create=create),
    delete_evidence,
)


@dataclass(slots=True)
class EditorState:
    """What the editor shows after an action.

    ``values`` None keeps the controls as they are; ``mode`` is None when the editor is closed,
    ``{"key": None}`` for a new record and ``{"key": id}`` when editing ``id``.
    """

    mode: dict[str, Any] | None
    values: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    notice: tuple[str, str] | None = None  # (text, kind: success | error | info)
    changed: bool = False


def key_of(mode: Any) -> str | None:
    key = mode.get("key") if isinstance(mode, dict) else None
    return key if isinstance(key, str) else None


def new_record(actor: Actor | None, kind: RecordKind) -> EditorState:
    require(actor.role if actor else None, kind.permission)
    values = form_values(kind.fields, None)
    values.update(kind.defaults)
    return EditorState({"key": None}, values)


def open_record(
    session: Session, actor: Actor | None, kind: RecordKind, key: str, lang: str
) -> EditorState:
    require(actor.role if actor else None, kind.permission)
    record = kind.load(session, key)
    if record is None:
        return EditorState(None, notice=(t("edit.missing", lang, id=key), "error"))
    return EditorState({"key": key}, form_values(kind.fields, record))


def refusal_text(error: RecordRefused, lang: str) -> str:
    if error.reason == "in_use":
        return t("edit.in_use", lang, **error.values)
    if error.reason == "missing":
        return t("edit.missing_record", lang)
    return t(f"edit.{error.reason}", lang)


def _changed_fields(before: BaseModel | None, after: BaseModel) -> list[str]:
    if before is None:
        return []
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    changed = []
    for name in sorted(set(old) | set(new)):
        if isinstance(new.get(name), dict) and isinstance(old.get(name), dict):
            inner = set(old[name]) | set(new[name])
            changed += [
                f"{name}.{k}" for k in sorted(inner) if old[name].get(k) != new[name].get(k)
            ]
        elif old.get(name) != new.get(name):
            changed.append(name)
    return changed


def save_record(
    session: Session,
    actor: Actor | None,
    kind: RecordKind,
    values: Mapping[str, Any],
    mode: Any,
    lang: str,
) -> EditorState:
    """Validate the form with the record's model, then insert (new) or update (editing)."""
    require(actor.role if actor else None, kind.permission)
    assert actor is not None  # require() refuses anonymous callers
    if not isinstance(mode, dict):
        return EditorState(None, notice=(t("edit.closed", lang), "error"))
    key = key_of(mode)
    if key is not None:  # the id of a stored record is not edited: it names it elsewhere too
        values = {**values, "id": key}
    record, errors = validate(kind.model, kind.fields, values, lang)
    if record is None:
        return EditorState(mode, errors=errors, notice=(t("edit.invalid", lang), "error"))
    record_id = str(getattr(record, "id", ""))
    before = kind.load(session, record_id) if key is not None else None
    try:
        created = kind.save(session, record, key is None)
    except RecordRefused as e:
        errors = {e.field or GENERAL: [refusal_text(e, lang)]}
        return EditorState(mode, errors=errors, notice=(t("edit.invalid", lang), "error"))
    action = f"{kind.name}.{'create' if created else 'update'}"
    audit.record(
        session,
        actor.username,
        action,
        f"{kind.name}:{record_id}",
        fields=_changed_fields(before, record),
    )
    text = t("edit.created" if created else "edit.saved", lang, id=record_id)
    return EditorState({"key": record_id}, notice=(text, "success"), changed=True)


def delete_record(
    session: Session, actor: Actor | None, kind: RecordKind, mode: Any, lang: str
) -> EditorState:
    require(actor.role if actor else None, kind.permission)
    assert actor is not None
    key = key_of(mode)
    if key is None:
        return EditorState(mode, notice=(t("edit.closed", lang), "error"))
    try:
        kind.remove(session, key)
    except RecordRefused as e:
        return EditorState(mode, notice=(refusal_text(e, lang), "error"))
    audit.record(session, actor.username, f"{kind.name}.delete", f"{kind.name}:{key}")
    return EditorState(None, notice=(t("edit.deleted", lang, id=key), "success"), changed=True)


def refused(lang: str) -> EditorState:
    """The answer to a caller whose role may not edit (the gate should have stopped it)."""
    return EditorState(None, notice=(t("edit.not_permitted", lang), "error"))
