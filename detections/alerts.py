"""The alert model: drafts from rule matches and from other engines' alert events, severity,
entities, and the group key under which identical alerts are counted instead of repeated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from detections.base import Level, Match, RuleInfo, normalise_level
from soc.ecs import Event, get_field, parse_timestamp, utc_now

LEVEL_SEVERITY: dict[str, int] = {
    "informational": 10,
    "low": 30,
    "medium": 50,
    "high": 70,
    "critical": 90,
}
# A system's approved security level (cấp độ 1–5) raises the severity of what happens on it.
SECURITY_LEVEL_BONUS = {1: 0, 2: 0, 3: 5, 4: 10, 5: 15}

# Where each entity of an alert is read from, first present wins.
ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "host": ("host.name", "host.hostname", "winlog.computer_name", "observer.hostname"),
    "user": (
        "user.name",
        "winlog.event_data.TargetUserName",
        "winlog.event_data.SubjectUserName",
        "winlog.event_data.User",
    ),
    "source_ip": ("source.ip", "client.ip", "winlog.event_data.IpAddress"),
    "destination_ip": ("destination.ip", "server.ip", "winlog.event_data.DestinationIp"),
    "system": ("soc.system_id",),
    "agency": ("soc.agency_id", "organization.id"),
    "file": ("file.path",),
}
# Entities that make two hits "the same alert" (agency follows from system/host).
GROUP_ENTITIES = ("host", "user", "source_ip", "destination_ip", "system", "file")
_EMPTY = {"", "-", "null", "none"}


def severity(level: str, security_level: int | None) -> int:
    base = LEVEL_SEVERITY.get(level, 50)
    return min(100, base + SECURITY_LEVEL_BONUS.get(security_level or 0, 0))


_MISSING = object()


def _path_plan(dotted: str) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    """A dotted path split once: each label with the flat key to try when it is missing (the
    label and all after it, as ``get_field`` does; none for the last label)."""
    parts = dotted.split(".")
    rests = [".".join(parts[i:]) if i < len(parts) - 1 else None for i in range(len(parts))]
    return dotted, tuple(zip(parts, rests, strict=True))


def _lookup(event: Mapping[str, Any], plan: tuple[str, tuple[tuple[str, str | None], ...]]) -> Any:
    """``get_field`` with the path split in advance (this runs for every alert event)."""
    dotted, steps = plan
    if type(event) is not dict:
        return get_field(event, dotted)
    if dotted in event:
        return event[dotted]
    node: Any = event
    for part, rest in steps:
        if type(node) is not dict:  # not a plain event: the general path
            return get_field(event, dotted)
        found = node.get(part, _MISSING)
        if found is _MISSING:
            return node.get(rest) if rest else None
        node = found
    return node


_ENTITY_PLANS = tuple(
    (name, tuple(_path_plan(p) for p in paths)) for name, paths in ENTITY_FIELDS.items()
)


def entities_of(event: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, plans in _ENTITY_PLANS:
        for plan in plans:
            value = _lookup(event, plan)
            if isinstance(value, list):
                value = value[0] if value else None
            if value is not None and str(value).strip().lower() not in _EMPTY:
                out[name] = str(value)[:255]
                break
    return out


def event_time(event: Mapping[str, Any]) -> datetime:
    text = event.get("@timestamp")
    if isinstance(text, str):
        try:
            return parse_timestamp(text)
        except ValueError:
            pass
    return utc_now()


def _security_level(event: Mapping[str, Any]) -> int | None:
    value = get_field(event, "soc.security_level")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class AlertDraft:
    """An alert before grouping: what fired, on what, when, and how bad."""

    engine: str
    rule: RuleInfo
    entities: dict[str, str]
    event_ids: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    security_level: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> int:
        return severity(self.rule.level, self.security_level)

    @cached_property  # read several times per draft while a batch is grouped and written
    def group_key(self) -> str:
        parts = [self.engine, self.rule.id]
        parts += [f"{k}={self.entities.get(k, '')}" for k in GROUP_ENTITIES]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def merged(self, other: AlertDraft) -> AlertDraft:
        ids = self.event_ids + tuple(i for i in other.event_ids if i not in self.event_ids)
        return replace(
            self,
            event_ids=ids,
            first_seen=min(self.first_seen, other.first_seen),
            last_seen=max(self.last_seen, other.last_seen),
            security_level=max(self.security_level or 0, other.security_level or 0) or None,
        )


def draft_from_match(match: Match) -> AlertDraft:
    """A rule match (streaming or correlation) → a draft."""
    when = event_time(match.event)
    first = match.extra.get("first_seen")
    return AlertDraft(
        engine=match.rule.engine,
        rule=match.rule,
        # a correlation names its own entities (those its window shares); a single event its own
        entities=(
            _extra_entities(match.extra) if "entities" in match.extra else entities_of(match.event)
        ),
        event_ids=match.ids,
        first_seen=first if isinstance(first, datetime) else when,
        last_seen=when,
        security_level=_security_level(match.event),
        details={k: v for k, v in match.extra.items() if k not in ("first_seen", "entities")},
    )


def _extra_entities(extra: Mapping[str, Any]) -> dict[str, str]:
    value = extra.get("entities")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


_SURICATA_LEVEL: dict[int, Level] = {1: "high", 2: "medium", 3: "low"}


def engine_of(event: Mapping[str, Any]) -> str:
    dataset = str(get_field(event, "event.dataset") or "")
    module = str(get_field(event, "event.module") or "")
    for name in ("suricata", "yara"):
        if dataset.startswith(name) or module == name:
            return name
    return (module or dataset.split(".")[0] or "external")[:16]


def _engine_level(engine: str, event: Mapping[str, Any]) -> Level:
    sev = get_field(event, "event.severity")
    if engine == "suricata":
        return _SURICATA_LEVEL.get(sev if isinstance(sev, int) else 0, "informational")
    if get_field(event, "rule.level"):
        return normalise_level(get_field(event, "rule.level"))
    if isinstance(sev, int | float) and not isinstance(sev, bool):  # ECS risk-style 0-100
        for bound, level in ((90, "critical"), (70, "high"), (45, "medium"), (20, "low")):
            if sev >= bound:
                return level  # type: ignore[return-value]
        return "informational"
    return "high"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _attack_tags(event: Mapping[str, Any]) -> tuple[str, ...]:
    """ATT&CK tags from Suricata rule metadata (ET: mitre_technique_id / mitre_tactic_name),
    from ECS ``threat.*`` (YARA meta) and from ``attack.*`` tags."""
    tags: list[str] = []
    meta = get_field(event, "suricata.eve.alert.metadata") or {}
    if isinstance(meta, Mapping):
        for key in ("mitre_technique_id", "mitre_tactic_name"):
            tags += [f"attack.{v.lower().replace('_', '-')}" for v in _as_list(meta.get(key))]
    for path in ("threat.technique.id", "threat.technique.subtechnique.id", "threat.tactic.name"):
        tags += [
            f"attack.{v.lower().replace('_', '-').replace(' ', '-')}"
            for v in _as_list(get_field(event, path))
        ]
    tags += [t for t in _as_list(get_field(event, "tags")) if t.startswith("attack.")]
    return tuple(dict.fromkeys(tags))


def draft_from_engine_alert(event: Event) -> AlertDraft | None:
    """An ``event.kind == "alert"`` event from Suricata, YARA… → a draft; None otherwise."""
    if get_field(event, "event.kind") != "alert":
        return None
    engine = engine_of(event)
    rule_id = get_field(event, "rule.id") or get_field(event, "rule.name")
    if rule_id is None:
        return None
    rule = RuleInfo(
        id=str(rule_id)[:128],
        title=str(get_field(event, "rule.name") or rule_id)[:512],
        level=_engine_level(engine, event),
        tags=_attack_tags(event),
        engine=engine,
        description=str(get_field(event, "rule.category") or ""),
    )
    when = event_time(event)
    eid = get_field(event, "event.id")
    return AlertDraft(
        engine=engine,
        rule=rule,
        entities=entities_of(event),
        event_ids=(str(eid),) if eid else (),
        first_seen=when,
        last_seen=when,
        security_level=_security_level(event),
    )


def merge_drafts(drafts: Sequence[AlertDraft], window_seconds: int) -> list[AlertDraft]:
    """Drafts with the same group key no further apart than the window become one.

    Linear in the number of drafts and event ids: a noisy rule may put thousands of hits of
    one key in a batch, so each run collects its ids in an ordered set and is built once."""
    by_key: dict[str, list[AlertDraft]] = {}
    for draft in drafts:
        by_key.setdefault(draft.group_key, []).append(draft)
    merged: list[AlertDraft] = []
    for group in by_key.values():
        group.sort(key=lambda d: d.first_seen)
        run = [group[0]]
        last_seen = group[0].last_seen
        for draft in group[1:]:
            if (draft.first_seen - last_seen).total_seconds() <= window_seconds:
                run.append(draft)
                last_seen = max(last_seen, draft.last_seen)
            else:
                merged.append(_merge_run(run))
                run, last_seen = [draft], draft.last_seen
        merged.append(_merge_run(run))
    return merged


def _merge_run(run: list[AlertDraft]) -> AlertDraft:
    if len(run) == 1:
        return run[0]
    ids = dict.fromkeys(i for draft in run for i in draft.event_ids)
    levels = [d.security_level for d in run if d.security_level]
    return replace(
        run[0],
        event_ids=tuple(ids),
        first_seen=min(d.first_seen for d in run),
        last_seen=max(d.last_seen for d in run),
        security_level=max(levels) if levels else None,
    )
