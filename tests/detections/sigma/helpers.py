"""Small builders for the Sigma tests: rules from YAML text, events of a given dataset."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from detections.sigma.engine import SigmaEngine
from detections.sigma.interpreter import evaluate
from detections.sigma.loader import RuleSet, load_rules


def write_rule(directory: Path, body: str, name: str = "rule.yml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def rules_from(directory: Path, body: str, *, audit: bool = True) -> RuleSet:
    write_rule(directory, body)
    return load_rules([directory], audit=audit)


def engine_from(directory: Path, body: str, *, audit: bool = True) -> SigmaEngine:
    ruleset = rules_from(directory, body, audit=audit)
    assert not ruleset.report.issues, [i.reason for i in ruleset.report.issues]
    return SigmaEngine(ruleset.rules)


def fired(engine: SigmaEngine, event: dict[str, Any]) -> set[str]:
    """Rule ids that fire, checked against the interpreter (the fast path must agree)."""
    fast = {engine.compiled[i].info.id for i in engine.match_event(event)}
    slow = {
        engine.compiled[i].info.id
        for key in _keys_for(engine, event)
        for i in engine.buckets[key]
        if evaluate(engine.compiled[i].expr, event)
    }
    assert fast == slow, f"fast path {fast} != interpreter {slow} on {event}"
    return fast


def _keys_for(engine: SigmaEngine, event: dict[str, Any]) -> list[Any]:
    return [key for _, key in engine.candidates(event)]


def win(
    eid: int, channel: str = "Microsoft-Windows-Sysmon/Operational", **data: Any
) -> dict[str, Any]:
    dataset = {"security": "windows.security"}.get(channel.lower(), "windows.sysmon")
    return {
        "@timestamp": "2026-03-01T02:03:04.000000Z",
        "event": {"id": f"ev-{eid}-{len(data)}", "dataset": dataset},
        "host": {"name": "srv-01"},
        "winlog": {"channel": channel, "event_id": eid, "record_id": 7, "event_data": data},
    }


def ecs(dataset: str, **fields: Any) -> dict[str, Any]:
    """An event of ``dataset`` with dotted ``fields`` (``source__ip`` → ``source.ip``)."""
    from soc.ecs import set_field

    ev: dict[str, Any] = {
        "@timestamp": "2026-03-01T02:03:04.000000Z",
        "event": {"id": "e1", "dataset": dataset},
    }
    for key, value in fields.items():
        set_field(ev, key.replace("__", "."), value)
    return ev
