"""The inventory's records: agencies, information systems, declared evidence and exchanges, typed
and validated (identifiers, host names, URLs, datasets, address ranges), and the error that lists
every problem of a file."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from soc.errors import ContentError

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


# A link's provider and sensor are written "id | provider | IDS sensor" (a form line; one item of
# a CSV cell, items separated by ";"), so they may not hold those separators.
_LINK_PART = r"^[^|;\r\n]*$"


class InternetLink(_Record):
    id: Id
    provider: str | None = Field(default=None, max_length=255, pattern=_LINK_PART)
    ids_sensor: str | None = Field(default=None, max_length=128, pattern=_LINK_PART)

    def as_text(self) -> str:
        return link_text(self.model_dump())


def link_text(fields: Mapping[str, Any]) -> str:
    """``id | provider | IDS sensor`` of a link's fields, trailing empty parts left out."""
    parts = [str(fields.get(name) or "") for name in ("id", "provider", "ids_sensor")]
    while parts and parts[-1] == "":
        parts.pop()
    return " | ".join(parts)


def link_fields(text: str) -> dict[str, str] | None:
    """The fields of one ``id | provider | IDS sensor`` text (an older ``id=sensor`` is read
    too); None when it is not of that form. Values are checked by ``InternetLink``."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) == 1 and "=" in parts[0]:
        link_id, _, sensor = parts[0].partition("=")
        parts = [link_id.strip(), "", sensor.strip()]
    if len(parts) > 3 or not parts[0]:
        return None
    fields = {"id": parts[0]}
    for name, value in zip(("provider", "ids_sensor"), parts[1:], strict=False):
        if value:
            fields[name] = value
    return fields


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
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValueError(f"expires_on {self.expires_on} is before issued_on {self.issued_on}")
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
