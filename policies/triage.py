"""What the triage policies decide, for callers in Python: an alert's priority and an incident's
reporting obligations with their deadlines as times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from policies.base import PolicyEngine
from policies.facts import rfc3339
from soc.errors import PolicyError


@dataclass(frozen=True)
class Priority:
    priority: str
    score: int
    factors: list[dict[str, Any]]


@dataclass(frozen=True)
class Deadline:
    id: str
    hours: int
    due: datetime


@dataclass(frozen=True)
class ReportingDecision:
    must_report: bool
    serious: bool
    deadlines: list[Deadline]


def alert_priority(
    engine: PolicyEngine,
    *,
    rule_level: str,
    ti_match: bool = False,
    system_level: int | None = None,
    zone: str | None = None,
) -> Priority:
    system: dict[str, Any] = {}
    if system_level is not None:
        system["level"] = system_level
    if zone:
        system["zone"] = zone
    doc = {"alert": {"rule_level": rule_level, "ti_match": ti_match}, "system": system}
    out = engine.evaluate("priority", doc)
    if not isinstance(out, dict):
        raise PolicyError("the priority policy returned nothing")
    return Priority(str(out["priority"]), int(out["score"]), list(out["factors"]))


def reporting(engine: PolicyEngine, incident: dict[str, Any], profile: str) -> ReportingDecision:
    """``incident``: detected (datetime), confirmed, level, effects, owner_unable, national_list,
    national_security, serious_disruption, personal_data_breach."""
    doc = dict(incident)
    detected = doc.get("detected")
    if isinstance(detected, datetime):
        doc["detected"] = rfc3339(detected)
    out = engine.evaluate("reporting", {"incident": doc, "profile": profile})
    if not isinstance(out, dict):
        raise PolicyError("the reporting policy returned nothing")
    deadlines = [
        Deadline(d["id"], int(d["hours"]), datetime.fromtimestamp(d["due_ns"] / 1e9, tz=UTC))
        for d in out["deadlines"]
    ]
    return ReportingDecision(bool(out["must_report"]), bool(out["serious"]), deadlines)
