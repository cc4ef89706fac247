"""YARA matches, and files the limits kept from a scan, as ECS events (``yara.scan``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yara

from detections.yara.rulesets import ruleset_of
from soc.ecs import ECS_VERSION, Event, event_id, format_timestamp

DATASET = "yara.scan"
MODULE = "yara"
# Sigma's level words, used in our rules' ``level`` meta, onto ECS's numeric event.severity.
LEVEL_SEVERITY = {"informational": 1, "low": 21, "medium": 47, "high": 73, "critical": 99}
DEFAULT_LEVEL = "high"  # a YARA hit on an uploaded or evidence file is worth a look by default

_TECHNIQUE = re.compile(r"^T\d{4}(?:[._]\d{3})?$", re.IGNORECASE)
_TECHNIQUE_META = ("mitre_attack", "attack", "technique", "mitre_technique")


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """The file a scan read: the hash is of exactly the bytes that were matched."""

    path: Path
    size: int
    sha256: str
    mtime: datetime


def file_fields(path: Path, size: int | None, mtime: datetime | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "path": str(path),
        "name": path.name,
        "directory": str(path.parent),
    }
    if path.suffix:
        fields["extension"] = path.suffix[1:].lower()
    if size is not None:
        fields["size"] = size
    if mtime is not None:
        fields["mtime"] = format_timestamp(mtime)
    return fields


def _techniques(meta: dict[str, Any], tags: list[str]) -> list[str]:
    found: list[str] = []
    candidates = [str(meta[k]) for k in _TECHNIQUE_META if k in meta] + list(tags)
    for value in candidates:
        for item in re.split(r"[,\s]+", value):
            if _TECHNIQUE.match(item):
                technique = item.upper().replace("_", ".")
                if technique not in found:
                    found.append(technique)
    return found


def threat_fields(meta: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """ATT&CK technique ids from meta (``mitre_attack``/``attack``) or tags (``T1505_003``)."""
    techniques = _techniques(meta, tags)
    threat: dict[str, Any] = {}
    if techniques:
        threat["framework"] = "MITRE ATT&CK"
        threat["technique"] = {"id": sorted({t.split(".")[0] for t in techniques})}
        subs = [t for t in techniques if "." in t]
        if subs:
            threat["technique"]["subtechnique"] = {"id": subs}
    if meta.get("tactic"):
        threat.setdefault("framework", "MITRE ATT&CK")
        threat["tactic"] = {"name": [str(meta["tactic"])]}
    return threat


def rule_fields(match: yara.Match) -> dict[str, Any]:
    meta = dict(match.meta)
    rule: dict[str, Any] = {
        "id": str(meta.get("id") or f"{match.namespace}:{match.rule}"),
        "name": match.rule,
        "ruleset": ruleset_of(match.namespace),
    }
    for ecs_name, meta_name in (
        ("description", "description"),
        ("reference", "reference"),
        ("version", "version"),
        ("license", "license"),
    ):
        if meta.get(meta_name):
            rule[ecs_name] = str(meta[meta_name])
    if meta.get("author"):
        rule["author"] = [str(meta["author"])]
    return rule


def _string_hits(match: yara.Match, limit: int) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    for string in match.strings:
        for instance in string.instances:
            if len(hits) >= limit:
                return hits
            # identifiers and offsets only: the matched bytes may be the malicious content itself
            hits.append({"identifier": string.identifier, "offset": instance.offset})
    return hits


def match_event(
    match: yara.Match, scanned: ScannedFile, *, now: datetime, max_strings: int = 20
) -> Event:
    """One alert event per rule that matched one file; same file, same rule → same event id."""
    level = str(dict(match.meta).get("level", DEFAULT_LEVEL)).lower()
    rule = rule_fields(match)
    event: Event = {
        "@timestamp": format_timestamp(now),
        "ecs": {"version": ECS_VERSION},
        "event": {
            "id": event_id(
                f"yara:{scanned.path}",
                f"{scanned.sha256}\0{match.namespace}:{match.rule}".encode(),
            ),
            "kind": "alert",
            "category": ["malware", "file"],
            "type": ["info"],
            "dataset": DATASET,
            "module": MODULE,
            "severity": LEVEL_SEVERITY.get(level, LEVEL_SEVERITY[DEFAULT_LEVEL]),
            "created": format_timestamp(now),
        },
        "file": {
            **file_fields(scanned.path, scanned.size, scanned.mtime),
            "hash": {"sha256": scanned.sha256},
        },
        "rule": rule,
        "soc": {
            "yara": {"namespace": match.namespace, "strings": _string_hits(match, max_strings)}
        },
    }
    threat = threat_fields(dict(match.meta), list(match.tags))
    if threat:
        event["threat"] = threat
    if match.tags:
        event["tags"] = list(match.tags)
    return event


def skipped_event(
    path: Path, reason: str, *, size: int | None, mtime: datetime | None, now: datetime
) -> Event:
    """A file that was not scanned (too large, timed out, unreadable): a blind spot made visible."""
    stamp = format_timestamp(mtime) if mtime else ""
    return {
        "@timestamp": format_timestamp(now),
        "ecs": {"version": ECS_VERSION},
        "event": {
            "id": event_id(f"yara:{path}", f"skipped\0{reason}\0{size}\0{stamp}".encode()),
            "kind": "event",
            "category": ["file"],
            "type": ["info"],
            "action": "yara-scan-skipped",
            "outcome": "unknown",
            "reason": reason,
            "dataset": DATASET,
            "module": MODULE,
        },
        "file": file_fields(path, size, mtime),
    }
