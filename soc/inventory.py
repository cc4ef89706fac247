"""The inventory (agencies, information systems) and declared evidence: typed, validated, and moved
between YAML/CSV files and the state database, every error reported with its file and line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from soc.errors import ContentError
from soc.state.models import Agency, Evidence, Exchange, System

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 100_000
MAX_LIST = 1_000
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Zone = Literal["datacenter", "man", "egov", "party", "ot"]
AgencyKind = Literal[
    "people_committee", "department", "district", "ward", "police", "party", "front", "school",
    "hospital", "enterprise", "centre", "other",
]  # fmt: skip
SystemType = Literal["internal", "citizen_service", "infrastructure", "ics", "other"]
InfoType = Literal["public", "private", "personal", "state_secret"]
Harm = Literal["none", "harm", "serious", "especially_serious"]
InfraScope = Literal[
    "single_org", "sector", "province", "multi_province", "national", "international_interconnect"
]
IcsGrade = Literal["IV", "III", "II", "I", "special"]
Function = Literal[
    "web", "email", "database", "identity", "certificate", "data_integration", "datacenter",
    "cloud", "network", "document", "payment", "monitoring", "camera", "scada", "backup",
]  # fmt: skip
EvidenceKind = Literal[
    "level_dossier", "security_regulation", "infosec_unit", "ir_team", "ir_plan", "soc_service",
    "assessment", "national_connection", "control", "vulnerability_scan", "pentest",
    "restore_test", "account_review", "training", "drill", "annual_report", "focal_point",
    "monitoring_report", "risk_assessment", "law116_conformity", "budget", "network_membership",
    "plan_deployment", "network_report", "assessment_report", "certification",
]  # fmt: skip

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_HOST = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
_DATASET = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("ids are lower-case letters, digits, '.', '_' or '-' (at most 64)")
    return value


def _check_host(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not _HOST.match(value):
        raise ValueError(f"not a host name: {value!r}")
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.strip()


def _check_dataset(value: str) -> str:
    if not _DATASET.match(value):
        raise ValueError(f"not a dataset name like 'nginx.access': {value!r}")
    return value


def _check_network(value: str) -> str:
    try:
        return str(ip_network(value.strip(), strict=True))
    except ValueError as e:
        raise ValueError(f"not a CIDR block: {e}") from e


Id = Annotated[str, AfterValidator(_check_id)]
HostName = Annotated[str, AfterValidator(_check_host)]
Url = Annotated[str, AfterValidator(_check_url)]
Dataset = Annotated[str, AfterValidator(_check_dataset)]
Cidr = Annotated[str, AfterValidator(_check_network)]
Text = Annotated[str, Field(min_length=1, max_length=255)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Classification(_Record):
    """What decides the security level (Decree 85/2016 Art. 6–11; Decree 331/2026 Art. 11–15)."""

    system_type: SystemType
    information_types: list[InfoType] = Field(default_factory=list, max_length=4)
    state_secret_harm: Harm = "none"
    online_public_service_level: int | None = Field(default=None, ge=1, le=4)
    administrative_procedures: bool = False
    conditional_business_line: bool = False
    personal_data_users: int | None = Field(default=None, ge=0)
    personal_data_basic_subjects: int | None = Field(default=None, ge=0)
    personal_data_sensitive_subjects: int | None = Field(default=None, ge=0)
    infrastructure_scope: InfraScope | None = None
    ops_24x7: bool = False
    national_egov_24x7: bool = False
    ics_construction_grade: IcsGrade | None = None
    national_security_works: bool = False
    national_important_data: bool = False
    pm_designated: bool = False
    national_security_list: bool = False
    risk_assessed_level: int | None = Field(default=None, ge=1, le=5)
    functions: list[Function] = Field(default_factory=list, max_length=32)


class InternetLink(_Record):
    id: Id
    provider: str | None = Field(default=None, max_length=255)
    ids_sensor: str | None = Field(default=None, max_length=128)


class AgencyRecord(_Record):
    id: Id
    name: Text
    name_en: Text | None = None
    kind: AgencyKind = "department"
    parent: Id | None = None
    ip_ranges: list[Cidr] = Field(default_factory=list, max_length=MAX_LIST)


class SystemRecord(_Record):
    id: Id
    name: Text
    name_en: Text | None = None
    owner: Id
    operator: Id | None = None
    zone: Zone
    hosting: str | None = Field(default=None, max_length=64)
    approved_level: int | None = Field(default=None, ge=1, le=5)
    status: Literal["operating", "building", "retired"] = "operating"
    go_live: date | None = None
    instrumentable: bool = True
    classification: Classification
    ip_ranges: list[Cidr] = Field(default_factory=list, max_length=MAX_LIST)
    hostnames: list[HostName] = Field(default_factory=list, max_length=MAX_LIST)
    urls: list[Url] = Field(default_factory=list, max_length=MAX_LIST)
    log_sources: list[Dataset] = Field(default_factory=list, max_length=64)
    internet_links: list[InternetLink] = Field(default_factory=list, max_length=64)
    notes: str | None = Field(default=None, max_length=2000)

    def networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(c) for c in self.ip_ranges]


class Inventory(_Record):
    agencies: list[AgencyRecord] = Field(default_factory=list)
    systems: list[SystemRecord] = Field(default_factory=list)


class EvidenceRecord(_Record):
    """A declared fact: a dossier, a decision, an assessment, a contract, a control in place."""

    id: Id
    kind: EvidenceKind
    system: Id | None = None
    agency: Id | None = None
    title: str = Field(default="", max_length=512)
    issued_on: date | None = None
    expires_on: date | None = None
    assessor: str | None = Field(default=None, max_length=255)
    provider: str | None = Field(default=None, max_length=255)
    reference: str | None = Field(default=None, max_length=512)
    details: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _subject(self) -> EvidenceRecord:
        if not self.system and not self.agency:
            raise ValueError("evidence needs a system or an agency")
        return self


class ExchangeRecord(_Record):
    """One report or indicator exchange with the national centre (layer 4 of Directive 14)."""

    at: datetime
    direction: Literal["outbound", "inbound"]
    kind: Literal["incident_report", "statistics", "indicators", "monitoring_data", "malware_data"]
    status: Literal["ok", "failed"]
    system: Id | None = None
    counterpart: str | None = Field(default=None, max_length=255)
    details: dict[str, Any] = Field(default_factory=dict)

    def at_utc(self) -> datetime:
        moment = self.at if self.at.tzinfo else self.at.replace(tzinfo=LOCAL_TZ)
        return moment.astimezone(UTC)


class EvidenceFile(_Record):
    evidence: list[EvidenceRecord] = Field(default_factory=list)
    exchanges: list[ExchangeRecord] = Field(default_factory=list)


class InventoryErrors(ContentError):
    """Every problem found in one file; ``errors`` holds each with its own line."""

    def __init__(self, errors: Sequence[ContentError], source: str) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first.message}{more}", source=source, line=first.line, hint=first.hint)
        self.errors = list(errors)


# -- reading files with line numbers ------------------------------------------------------------

Loc = tuple[str | int, ...]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader that remembers the line of every mapping key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        mapping["__lines__"] = (node.start_mark.line + 1, lines)
        return mapping


def _strip_lines(value: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    if isinstance(value, dict):
        start, keys = value.pop("__lines__", (None, {}))
        if start:
            lines[loc] = start
        out = {}
        for key, item in value.items():
            if key in keys:
                lines[(*loc, key)] = keys[key]
            out[key] = _strip_lines(item, (*loc, key), lines)
        return out
    if isinstance(value, list):
        return [_strip_lines(item, (*loc, i), lines) for i, item in enumerate(value)]
    return value


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest part of ``loc`` that has one (a key, else its mapping)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def read_text(path: Path) -> str:
    """A UTF-8 file of bounded size, or a ContentError saying why not."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(f"file larger than {MAX_FILE_BYTES} bytes", source=path)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ContentError("file not found", source=path) from e
    except UnicodeDecodeError as e:
        raise ContentError("not UTF-8 text", source=path, hint="save the file as UTF-8") from e


def read_yaml_lines(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML safely; also return the line of every mapping and key by its path."""
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ContentError(f"not valid YAML: {e}", source=source, line=line) from e
    lines: dict[Loc, int] = {}
    return _strip_lines(raw, (), lines), lines


M = TypeVar("M", bound=BaseModel)


def _validate_items(
    model: type[M],
    items: Any,
    section: str,
    source: str,
    lines: Mapping[Loc, int],
    errors: list[ContentError],
) -> list[tuple[M, int | None]]:
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append(ContentError(f"'{section}' must be a list", source=source))
        return []
    if len(items) > MAX_RECORDS:
        errors.append(ContentError(f"more than {MAX_RECORDS} {section}", source=source))
        return []
    out: list[tuple[M, int | None]] = []
    for i, item in enumerate(items):
        try:
            out.append((model.model_validate(item), line_of(lines, (section, i))))
        except ValidationError as e:
            errors.extend(_explain(e, (section, i), source, lines))
    return out


def _explain(
    error: ValidationError, prefix: Loc, source: str, lines: Mapping[Loc, int]
) -> list[ContentError]:
    found = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        field = ".".join(str(p) for p in item["loc"]) or "(record)"
        hint = "remove or rename the key" if item["type"] == "extra_forbidden" else None
        message = f"{prefix[0]}[{prefix[1]}].{field}: {item['msg']}"
        found.append(ContentError(message, source=source, line=line_of(lines, loc), hint=hint))
    return found


def _sections(raw: Any, source: str, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContentError("the file must be a mapping of sections", source=source, line=1)
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ContentError(
            f"unknown section {unknown[0]!r}", source=source, hint=f"use {sorted(allowed)}"
        )
    return raw


# -- CSV ----------------------------------------------------------------------------------------

SYSTEM_LISTS = ("ip_ranges", "hostnames", "urls", "log_sources")
CLASS_PREFIX = "class."


def _csv_value(name: str, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    list_fields = (*SYSTEM_LISTS, "class.information_types", "class.functions", "internet_links")
    if name in list_fields:
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def _csv_links(items: list[str]) -> list[dict[str, str]]:
    links = []
    for item in items:
        link_id, _, sensor = item.partition("=")
        links.append({"id": link_id.strip(), **({"ids_sensor": sensor.strip()} if sensor else {})})
    return links


def _csv_row(row: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    record: dict[str, Any] = {}
    klass: dict[str, Any] = {}
    for name, text in row.items():
        value = _csv_value(name, text or "")
        if value is None or name == "record":
            continue
        if name.startswith(CLASS_PREFIX):
            klass[name[len(CLASS_PREFIX) :]] = value
        elif name == "internet_links":
            record[name] = _csv_links(value)
        else:
            record[name] = value
    kind = (row.get("record") or "").strip()
    if kind == "system":
        record["classification"] = klass
    return kind, record


def _read_csv(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, int]]:
    sections: dict[str, list[Any]] = {"agencies": [], "systems": []}
    lines: dict[Loc, int] = {}
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "record" not in reader.fieldnames:
        raise ContentError("CSV needs a 'record' column (agency|system)", source=source, line=1)
    for row in reader:
        kind, record = _csv_row(row)
        section = {"agency": "agencies", "system": "systems"}.get(kind)
        if section is None:
            raise ContentError(
                f"record must be 'agency' or 'system', not {kind!r}",
                source=source,
                line=reader.line_num,
            )
        lines[(section, len(sections[section]))] = reader.line_num
        sections[section].append(record)
    return sections, lines


# -- loading ------------------------------------------------------------------------------------


def _check_references(
    agencies: list[tuple[AgencyRecord, int | None]],
    systems: list[tuple[SystemRecord, int | None]],
    source: str,
) -> list[ContentError]:
    errors: list[ContentError] = []
    ids: set[str] = set()
    for agency, line in agencies:
        if agency.id in ids:
            errors.append(
                ContentError(f"duplicate agency id {agency.id!r}", source=source, line=line)
            )
        ids.add(agency.id)
    parents = {a.id: a.parent for a, _ in agencies}
    for agency, line in agencies:
        if agency.parent and agency.parent not in ids:
            errors.append(
                ContentError(f"unknown parent {agency.parent!r}", source=source, line=line)
            )
        seen, node = {agency.id}, agency.parent
        while node is not None and parents.get(node):
            node = parents[node]
            if node is None or node in seen:
                errors.append(ContentError("agency parents form a cycle", source=source, line=line))
                break
            seen.add(node)
    system_ids: set[str] = set()
    for system, line in systems:
        if system.id in system_ids:
            errors.append(
                ContentError(f"duplicate system id {system.id!r}", source=source, line=line)
            )
        system_ids.add(system.id)
        for who in (system.owner, system.operator):
            if who and who not in ids:
                errors.append(ContentError(f"unknown agency {who!r}", source=source, line=line))
    return errors


def load_inventory(path: Path) -> Inventory:
    """Read a YAML or CSV inventory; raise InventoryErrors listing every problem found."""
    source = str(path)
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        raw, lines = _read_csv(text, source)
    else:
        raw, lines = read_yaml_lines(text, source)
        raw = _sections(raw, source, {"agencies", "systems"})
    errors: list[ContentError] = []
    agencies = _validate_items(AgencyRecord, raw.get("agencies"), "agencies", source, lines, errors)
    systems = _validate_items(SystemRecord, raw.get("systems"), "systems", source, lines, errors)
    errors.extend(_check_references(agencies, systems, source))
    if errors:
        raise InventoryErrors(errors, source)
    return Inventory(agencies=[a for a, _ in agencies], systems=[s for s, _ in systems])


def load_evidence(path: Path) -> tuple[EvidenceFile, dict[str, int | None]]:
    """Read an evidence YAML file; returns the records and the line of each evidence id."""
    source = str(path)
    raw, lines = read_yaml_lines(read_text(path), source)
    raw = _sections(raw, source, {"evidence", "exchanges"})
    errors: list[ContentError] = []
    evidence = _validate_items(
        EvidenceRecord, raw.get("evidence"), "evidence", source, lines, errors
    )
    exchanges = _validate_items(
        ExchangeRecord, raw.get("exchanges"), "exchanges", source, lines, errors
    )
    seen: set[str] = set()
    for record, line in evidence:
        if record.id in seen:
            errors.append(
                ContentError(f"duplicate evidence id {record.id!r}", source=source, line=line)
            )
        seen.add(record.id)
    if errors:
        raise InventoryErrors(errors, source)
    found = EvidenceFile(evidence=[r for r, _ in evidence], exchanges=[x for x, _ in exchanges])
    return found, {r.id: line for r, line in evidence}


# -- the state database -------------------------------------------------------------------------


def _parents_first(agencies: Sequence[AgencyRecord]) -> list[AgencyRecord]:
    by_id = {a.id: a for a in agencies}
    ordered: list[AgencyRecord] = []
    placed: set[str] = set()

    def place(agency: AgencyRecord) -> None:
        if agency.id in placed:
            return
        placed.add(agency.id)
        if agency.parent in by_id:
            place(by_id[agency.parent])
        ordered.append(agency)

    for agency in agencies:
        place(agency)
    return ordered


def system_attributes(system: SystemRecord) -> dict[str, Any]:
    """What the ``systems.attributes`` JSON column holds: everything without its own column."""
    keep = {
        "id",
        "name",
        "owner",
        "zone",
        "hosting",
        "approved_level",
        "ip_ranges",
        "hostnames",
        "urls",
    }
    return system.model_dump(mode="json", exclude=keep, exclude_none=True)


def import_inventory(
    session: Session, inventory: Inventory, *, prune: bool = False
) -> dict[str, int]:
    """Insert or update every agency and system; with ``prune`` remove the ones not in the file."""
    for agency in _parents_first(inventory.agencies):
        session.merge(
            Agency(
                id=agency.id,
                name=agency.name,
                name_en=agency.name_en,
                kind=agency.kind,
                parent_id=agency.parent,
                ip_ranges=list(agency.ip_ranges),
            )
        )
    session.flush()
    for system in inventory.systems:
        session.merge(
            System(
                id=system.id,
                name=system.name,
                agency_id=system.owner,
                zone=system.zone,
                hosting=system.hosting,
                security_level=system.approved_level,
                ip_ranges=list(system.ip_ranges),
                hostnames=list(system.hostnames),
                urls=list(system.urls),
                attributes=system_attributes(system),
            )
        )
    removed = 0
    if prune:
        keep_s = [s.id for s in inventory.systems]
        stale_s = list(session.scalars(select(System.id).where(System.id.not_in(keep_s))))
        session.execute(delete(System).where(System.id.in_(stale_s)))
        keep_a = [a.id for a in inventory.agencies]
        stale_a = list(session.scalars(select(Agency.id).where(Agency.id.not_in(keep_a))))
        session.execute(update(Agency).where(Agency.parent_id.in_(stale_a)).values(parent_id=None))
        session.execute(delete(Agency).where(Agency.id.in_(stale_a)))
        removed = len(stale_s) + len(stale_a)
    return {
        "agencies": len(inventory.agencies),
        "systems": len(inventory.systems),
        "removed": removed,
    }


def system_record(row: System) -> SystemRecord:
    """Rebuild the typed record from a database row (the inverse of ``import_inventory``)."""
    data: dict[str, Any] = dict(row.attributes or {})
    data.update(
        id=row.id,
        name=row.name,
        owner=row.agency_id,
        zone=row.zone,
        hosting=row.hosting,
        approved_level=row.security_level,
        ip_ranges=row.ip_ranges or [],
        hostnames=row.hostnames or [],
        urls=row.urls or [],
    )
    data.setdefault("classification", {"system_type": "other"})
    return SystemRecord.model_validate({k: v for k, v in data.items() if v is not None})


def read_inventory(session: Session) -> Inventory:
    agencies = [
        AgencyRecord(
            id=a.id,
            name=a.name,
            name_en=a.name_en,
            kind=a.kind,  # type: ignore[arg-type]
            parent=a.parent_id,
            ip_ranges=a.ip_ranges or [],
        )
        for a in session.scalars(select(Agency).order_by(Agency.id))
    ]
    systems = [system_record(s) for s in session.scalars(select(System).order_by(System.id))]
    return Inventory(agencies=agencies, systems=systems)


def dump_inventory(inventory: Inventory, fmt: Literal["yaml", "csv"]) -> str:
    if fmt == "yaml":
        data = inventory.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return _dump_csv(inventory)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _dump_csv(inventory: Inventory) -> str:
    rows: list[dict[str, str]] = []
    for agency in inventory.agencies:
        row = {k: _cell(v) for k, v in agency.model_dump(mode="json").items()}
        rows.append({"record": "agency", **row})
    for system in inventory.systems:
        data = system.model_dump(mode="json")
        klass = data.pop("classification")
        links = data.pop("internet_links")
        row = {k: _cell(v) for k, v in data.items()}
        row["internet_links"] = ";".join(
            f"{link['id']}={link['ids_sensor']}" if link.get("ids_sensor") else link["id"]
            for link in links
        )
        row.update({f"{CLASS_PREFIX}{k}": _cell(v) for k, v in klass.items()})
        rows.append({"record": "system", **row})
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def import_evidence(
    session: Session, found: EvidenceFile, source: str = "<evidence>"
) -> dict[str, int]:
    """Upsert evidence by its id (kept in ``details.key``) and add exchanges not already held."""
    known_systems = set(session.scalars(select(System.id)))
    known_agencies = set(session.scalars(select(Agency.id)))
    errors = [
        ContentError(f"evidence {r.id!r} names an unknown system or agency", source=source)
        for r in found.evidence
        if (r.system and r.system not in known_systems)
        or (r.agency and r.agency not in known_agencies)
    ]
    if errors:
        raise InventoryErrors(errors, source)
    existing = {
        (e.details or {}).get("key"): e for e in session.scalars(select(Evidence)) if e.details
    }
    for record in found.evidence:
        row = existing.get(record.id) or Evidence()
        row.system_id, row.agency_id = record.system, record.agency
        row.kind, row.title = record.kind, record.title
        row.issued_on, row.expires_on = record.issued_on, record.expires_on
        row.assessor, row.provider, row.reference = (
            record.assessor,
            record.provider,
            record.reference,
        )
        row.details = {**record.details, "key": record.id}
        session.add(row)
    added = 0
    held = {
        (_naive_utc(x.at), x.direction, x.kind, x.system_id)
        for x in session.scalars(select(Exchange))
    }
    for x in found.exchanges:
        at = x.at_utc()
        key = (_naive_utc(at), x.direction, x.kind, x.system)
        if key in held:
            continue
        held.add(key)
        session.add(
            Exchange(
                at=at,
                direction=x.direction,
                kind=x.kind,
                status=x.status,
                system_id=x.system,
                counterpart=x.counterpart,
                details=x.details,
            )
        )
        added += 1
    return {"evidence": len(found.evidence), "exchanges": added}


def _naive_utc(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes: compare in that form so a re-import adds nothing.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def read_evidence(session: Session) -> EvidenceFile:
    records = []
    for row in session.scalars(select(Evidence).order_by(Evidence.id)):
        details = dict(row.details or {})
        key = str(details.pop("key", f"ev-{row.id}"))
        records.append(
            EvidenceRecord(
                id=key,
                kind=row.kind,  # type: ignore[arg-type]
                system=row.system_id,
                agency=row.agency_id,
                title=row.title,
                issued_on=row.issued_on,
                expires_on=row.expires_on,
                assessor=row.assessor,
                provider=row.provider,
                reference=row.reference,
                details=details,
            )
        )
    exchanges = [
        ExchangeRecord(
            at=x.at if x.at.tzinfo else x.at.replace(tzinfo=UTC),
            direction=x.direction,  # type: ignore[arg-type]
            kind=x.kind,  # type: ignore[arg-type]
            status=x.status,  # type: ignore[arg-type]
            system=x.system_id,
            counterpart=x.counterpart,
            details=x.details or {},
        )
        for x in session.scalars(select(Exchange).order_by(Exchange.at))
    ]
    return EvidenceFile(evidence=records, exchanges=exchanges)


def dump_evidence(found: EvidenceFile) -> str:
    data = found.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
