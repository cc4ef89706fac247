"""The requirement catalogue as typed data: validated at load (with file and line), the profile in
force on a date, and the per-profile, per-level index the Rego policies read as ``data.catalog``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from soc.errors import ContentError
from soc.inventory import EvidenceKind, InventoryErrors, line_of, read_text, read_yaml_lines

CATALOG_DIR = Path(__file__).parent / "catalog"
REQUIREMENTS_FILE = CATALOG_DIR / "requirements.yaml"

ProfileName = Literal["legacy", "current"]
PROFILES: tuple[ProfileName, ...] = ("legacy", "current")
LEVELS = ("1", "2", "3", "4", "5")
FAR_FUTURE_NS = 9_000_000_000_000_000_000
CONTROLS = frozenset(
    {
        "vpn", "vpn_product", "ips", "network_ips", "waf", "redundancy", "ha_standby",
        "ha_standby_all", "db_firewall", "network_antimalware", "anti_ddos", "nac",
        "redundant_internet", "wireless_security", "dr_site", "infra_monitoring",
        "monitoring_24x7", "sensor_ports", "logging_ntp", "antimalware", "central_antimalware",
        "edr", "backup", "central_backup", "data_confidentiality", "data_integrity", "dlp",
        "iam_baseline", "mfa", "pam", "app_auth_logging", "app_security", "app_confidentiality",
        "email_security", "logical_isolation", "physical_isolation",
    }
)  # fmt: skip
ZONES = frozenset(
    {"internal", "perimeter", "dmz", "internal_servers", "db_servers", "management",
     "device_management", "wireless"}
)  # fmt: skip
DEADLINES = frozenset(
    {"notify_5d", "emergency", "immediate", "initial_24h", "report_72h", "pdp_72h"}
)
EVIDENCE_KINDS = frozenset(get_args(EvidenceKind))

Days = Annotated[int, Field(ge=1, le=3650)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _by_level(value: Any, level: str) -> Any:
    return value.get(level) if isinstance(value, dict) else value


class Includes(_Model):
    field: str
    values: list[str] | dict[str, list[str]]


class EvidenceCheck(_Model):
    type: Literal["evidence"]
    kind: str | None = None
    control: str | list[str] | None = None
    select: dict[str, Any] = Field(default_factory=dict)
    max_age_days: Days | dict[str, Days | None] | None = None
    missing: Literal["fail", "unknown"] = "unknown"
    deadline: date | None = None
    includes: Includes | None = None
    at_least: dict[str, float] = Field(default_factory=dict)
    equals: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_subject(self) -> EvidenceCheck:
        if (self.kind is None) == (self.control is None):
            raise ValueError("an evidence check names exactly one of 'kind' or 'control'")
        if self.kind is not None and self.kind not in EVIDENCE_KINDS:
            raise ValueError(f"unknown evidence kind {self.kind!r}")
        unknown = set(self.controls()) - CONTROLS
        if unknown:
            raise ValueError(f"unknown control {sorted(unknown)[0]!r}")
        return self

    def controls(self) -> list[str]:
        if self.control is None:
            return []
        return [self.control] if isinstance(self.control, str) else list(self.control)


class EvidenceAllCheck(_Model):
    type: Literal["evidence_all"]
    kinds: dict[str, Days | None]
    missing: Literal["fail", "unknown"] = "unknown"


class EvidenceOrderCheck(_Model):
    type: Literal["evidence_order"]
    first: str
    then: str
    since: date | None = None  # go-live before this date: the rule did not exist yet


class ZonesCheck(_Model):
    type: Literal["zones"]
    required: dict[str, list[str]] | None = None
    min_count: dict[str, int] | None = None


class SimpleCheck(_Model):
    type: Literal["classification", "live_sources", "ids_coverage"]


class SourceCategoriesCheck(_Model):
    type: Literal["source_categories"]
    categories: list[Literal["web", "ids", "firewall"]]


class RetentionCheck(_Model):
    type: Literal["retention"]
    min_days: Days | dict[str, Days]


class LayerCheck(_Model):
    type: Literal["layer"]
    layer: int = Field(ge=1, le=4)


class IncidentReportingCheck(_Model):
    type: Literal["incident_reporting"]
    deadlines: list[str]


Check = Annotated[
    EvidenceCheck
    | EvidenceAllCheck
    | EvidenceOrderCheck
    | ZonesCheck
    | SimpleCheck
    | SourceCategoriesCheck
    | RetentionCheck
    | LayerCheck
    | IncidentReportingCheck,
    Field(discriminator="type"),
]


class When(_Model):
    """Conditions on the system; all given must hold."""

    system_types: list[str] | None = None
    functions_any: list[str] | None = None
    hosted_shared: bool | None = None
    internet_facing: bool | None = None
    state_secret: bool | None = None
    personal_data_min: int | None = None


class Requirement(_Model):
    id: str = Field(pattern=r"^[A-Z0-9]+-[0-9]+[a-z]?$")
    group: str
    profiles: list[ProfileName] = Field(min_length=1)
    levels: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    severity: Literal["low", "medium", "high", "critical"]
    title_vi: str = Field(min_length=3)
    title_en: str = Field(min_length=3)
    source: str
    confidence: Literal["P", "S", "GK"]
    effective_from: date | None = None
    effective_to: date | None = None
    correction: str | None = None
    when: When | None = None
    check: Check

    @model_validator(mode="after")
    def _levels(self) -> Requirement:
        if not self.levels or any(level not in range(1, 6) for level in self.levels):
            raise ValueError("levels are between 1 and 5")
        return self


class Profile(_Model):
    name_vi: str
    name_en: str
    effective_from: date
    effective_to: date | None = None


class Criterion(_Model):
    id: str
    level: int | None = Field(ge=1, le=5)
    profiles: list[ProfileName]
    source: str
    title_vi: str
    title_en: str


class FourLayer(_Model):
    layer1_kinds: list[str]
    assessment_days: dict[str, Days]
    exchange_max_days: Days
    targets: dict[ProfileName, list[str]]


class Message(_Model):
    vi: str
    en: str


class Definition(_Model):
    id: str
    implemented_by: str
    source: str
    title_en: str


class Catalog(_Model):
    version: int
    profiles: dict[ProfileName, Profile]
    classification: list[Criterion]
    four_layer: FourLayer
    source_categories: dict[str, list[str]]
    definitions: list[Definition] = Field(default_factory=list)
    requirements: list[Requirement]
    messages: dict[str, Message]

    def requirement(self, requirement_id: str) -> Requirement:
        for req in self.requirements:
            if req.id == requirement_id:
                return req
        raise KeyError(requirement_id)

    def profile_for(self, on: date, requested: str = "auto") -> ProfileName:
        """The profile to apply on a date: the requested one, or the one in force (auto)."""
        if requested in PROFILES:
            return requested
        if requested != "auto":
            raise ContentError(f"unknown profile {requested!r}", hint="use auto, legacy or current")
        for name in reversed(PROFILES):
            if self.profiles[name].effective_from <= on:
                return name
        return PROFILES[0]

    def in_force(self, req: Requirement, profile: ProfileName, on: date) -> bool:
        start, end = self._window(req, profile)
        return start <= on and (end is None or on <= end)

    def _window(self, req: Requirement, profile: ProfileName) -> tuple[date, date | None]:
        prof = self.profiles[profile]
        start = max(prof.effective_from, req.effective_from or prof.effective_from)
        return start, req.effective_to


def _cross_checks(catalog: Catalog, lines: dict[Any, int], source: str) -> list[ContentError]:
    errors: list[ContentError] = []
    seen: set[str] = set()
    for i, req in enumerate(catalog.requirements):
        line = line_of(lines, ("requirements", i))
        if req.id in seen:
            errors.append(ContentError(f"duplicate requirement {req.id}", source=source, line=line))
        seen.add(req.id)
        for problem in _check_problems(req):
            errors.append(ContentError(f"{req.id}: {problem}", source=source, line=line))
    ids = {c.id for c in catalog.classification}
    if len(ids) != len(catalog.classification):
        errors.append(ContentError("duplicate classification criterion", source=source))
    return errors


def _check_problems(req: Requirement) -> list[str]:
    check = req.check
    problems: list[str] = []
    maps: list[Any] = []
    if isinstance(check, EvidenceCheck):
        maps = [check.max_age_days, check.includes.values if check.includes else None]
    elif isinstance(check, RetentionCheck):
        maps = [check.min_days]
    elif isinstance(check, ZonesCheck):
        maps = [check.required, check.min_count]
        zones = {z for zs in (check.required or {}).values() for z in zs}
        problems += [f"unknown zone {z!r}" for z in sorted(zones - ZONES)]
    elif isinstance(check, IncidentReportingCheck):
        problems += [f"unknown deadline {d!r}" for d in check.deadlines if d not in DEADLINES]
    elif isinstance(check, EvidenceAllCheck | EvidenceOrderCheck):
        kinds = list(check.kinds) if isinstance(check, EvidenceAllCheck) else [check.first]
        problems += [f"unknown evidence kind {k!r}" for k in kinds if k not in EVIDENCE_KINDS]
    for mapping in maps:
        if isinstance(mapping, dict):
            missing = [str(lv) for lv in req.levels if str(lv) not in mapping]
            problems += [f"no value for level {lv}" for lv in missing]
    return problems


def load_catalog(path: Path = REQUIREMENTS_FILE) -> Catalog:
    """Read and validate the catalogue; every problem is reported with its line."""
    source = str(path)
    raw, lines = read_yaml_lines(read_text(path), source)
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as e:
        errors = [
            ContentError(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}",
                source=source,
                line=line_of(lines, tuple(err["loc"])),
            )
            for err in e.errors()
        ]
        raise InventoryErrors(errors, source) from e
    errors = _cross_checks(catalog, lines, source)
    if errors:
        raise InventoryErrors(errors, source)
    return catalog


def _ns(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) * 1_000_000_000


def _resolved_check(check: Any, level: str) -> dict[str, Any]:
    data: dict[str, Any] = check.model_dump(mode="json", exclude_none=True)
    for key in ("max_age_days", "min_days"):
        if key in data:
            data[key] = _by_level(data[key], level)
            if data[key] is None:
                del data[key]
    if "includes" in data:
        data["includes"]["values"] = _by_level(data["includes"]["values"], level) or []
    if "required" in data:
        data["required"] = data["required"].get(level, [])
    if "min_count" in data:
        data["min_count"] = data["min_count"].get(level, 0)
    if isinstance(check, EvidenceOrderCheck) and check.since:
        data["since_ns"] = _ns(check.since)
    if isinstance(check, EvidenceCheck):
        _resolve_evidence(check, data)
    return data


def _resolve_evidence(check: EvidenceCheck, data: dict[str, Any]) -> None:
    data.pop("control", None)
    if check.controls():
        data["controls"] = check.controls()
    if check.deadline:
        data["deadline_ns"] = _ns(check.deadline)
    for key in ("select", "at_least", "equals"):
        if not data.get(key):
            data.pop(key, None)


def _entry(catalog: Catalog, req: Requirement, profile: ProfileName, level: str) -> dict[str, Any]:
    start, end = catalog._window(req, profile)
    entry: dict[str, Any] = {
        "id": req.id,
        "check": _resolved_check(req.check, level),
        "from_ns": _ns(start),
        "to_ns": _ns(end) + 86_399_999_999_999 if end else FAR_FUTURE_NS,
    }
    if req.when is not None:
        entry["when"] = req.when.model_dump(mode="json", exclude_none=True)
    return entry


def engine_data(catalog: Catalog) -> dict[str, Any]:
    """``data.catalog`` for the policies: what each level needs, resolved once per level."""
    index: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for profile in PROFILES:
        index[profile] = {"0": []}
        for level in LEVELS:
            index[profile][level] = [
                _entry(catalog, req, profile, level)
                for req in catalog.requirements
                if profile in req.profiles and int(level) in req.levels
            ]
    return {
        "index": index,
        "classification": {
            c.id: {"level": c.level, "profiles": c.profiles} for c in catalog.classification
        },
        "four_layer": catalog.four_layer.model_dump(mode="json"),
        "source_categories": catalog.source_categories,
    }
