"""Reading the sample events that live beside each of our Sigma rules (``<rule>.tests.yml``).

A sample is a raw ``line`` parsed by the collectors (``source_type``) — the same path real logs
take — or an ``event`` written with dotted ECS keys. Correlation rules have ``scenarios``:
event sequences after which the correlation must (or must not) have fired.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from collectors.base import DeadLetter
from collectors.ingest import feed
from collectors.registry import build_source_types
from soc.config import IngestSettings
from soc.ecs import event_id, set_field

_TYPES = build_source_types(IngestSettings())


@dataclass
class Scenario:
    name: str
    expect: bool
    events: list[dict[str, Any]]


@dataclass
class Samples:
    match: list[dict[str, Any]] = field(default_factory=list)
    no_match: list[dict[str, Any]] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    sql: bool = True  # ``sql: skip`` when the SQL view cannot express the rule (stated why)


class _Collect:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.rejected: list[str] = []

    def emit(self, events: list[dict[str, Any]]) -> None:
        self.events.extend(events)

    def reject(self, letter: DeadLetter) -> None:
        self.rejected.append(letter.reason)

    class stats:
        @staticmethod
        def add(*_: Any, **__: Any) -> None:
            return None


def parse_lines(lines: list[str], source_type: str, source: str) -> list[dict[str, Any]]:
    sink = _Collect()
    kind = _TYPES[source_type]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    feed(kind.reader.read(io.BytesIO(data), source), kind, sink)  # type: ignore[arg-type]
    if sink.rejected:
        raise ValueError(f"sample lines rejected by {source_type}: {sink.rejected}")
    return sink.events


def make_event(fields: dict[str, Any], source: str, n: int) -> dict[str, Any]:
    event: dict[str, Any] = {"@timestamp": "2026-03-02T02:00:00.000000Z"}
    for key, value in fields.items():
        set_field(event, key, value)
    event.setdefault("event", {}).setdefault("id", event_id(source, repr(fields).encode(), n))
    return event


def _events(items: list[Any], default_type: str | None, source: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        if isinstance(item, str):
            item = {"line": item}
        if "line" in item:
            out.extend(
                parse_lines([item["line"]], item.get("source_type", default_type), f"{source}#{n}")
            )
        elif "lines" in item:
            lines = [
                ln.replace("{n}", str(i))
                for i in range(int(item.get("repeat", 1)))
                for ln in item["lines"]
            ]
            out.extend(parse_lines(lines, item.get("source_type", default_type), f"{source}#{n}"))
        else:
            out.append(make_event(item["event"], source, n))
    return out


def load_samples(path: Path) -> Samples:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    default = doc.get("source_type")
    out = Samples(
        match=_events(doc.get("match") or [], default, f"{path}:match"),
        no_match=_events(doc.get("no_match") or [], default, f"{path}:no_match"),
        sql=doc.get("sql") != "skip",
    )
    for i, scenario in enumerate(doc.get("scenarios") or []):
        events = _events(scenario["events"], scenario.get("source_type", default), f"{path}:s{i}")
        out.scenarios.append(
            Scenario(
                scenario.get("name", f"scenario {i + 1}"), scenario["expect"] == "match", events
            )
        )
    return out
