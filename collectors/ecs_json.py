"""Events that are already ECS (NDJSON, nested or dotted keys) → stored as they are, with our id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collectors.base import Parser, RawRecord
from collectors.envelope import iso_timestamp, new_event
from collectors.suricata_eve import load_json_object
from soc.ecs import Event, set_field
from soc.errors import ParseError

MAX_DEPTH = 16


def _nest(doc: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """Dotted keys (``"source.ip"``) become nested objects, recursively."""
    if depth > MAX_DEPTH:
        raise ParseError(f"ECS document nested deeper than {MAX_DEPTH} levels")
    nested: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, Mapping):
            value = _nest(value, depth + 1)
        if "." in key and key != "@timestamp":
            set_field(nested, key, value)
        elif isinstance(value, dict) and isinstance(nested.get(key), dict):
            nested[key].update(value)
        else:
            nested[key] = value
    return nested


class EcsJsonParser(Parser):
    """Keeps every field; requires ``@timestamp``; the platform's id replaces any ``event.id``."""

    NAME = "ecs-json"
    DATASET = "ecs"

    def matches(self, record: RawRecord) -> bool:
        return record.data.lstrip()[:1] == b"{"

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text, doc = load_json_object(record, "ECS event")
        body = _nest(doc)
        if "@timestamp" not in body:
            raise ParseError("ECS event without a @timestamp")
        body["@timestamp"] = iso_timestamp(body["@timestamp"], "@timestamp")
        raw_event = body.get("event")
        incoming: dict[str, Any] = raw_event if isinstance(raw_event, dict) else {}
        event = new_event(
            record,
            dataset=str(incoming.get("dataset") or self.DATASET),
            module=str(incoming.get("module") or "ecs"),
            original=None,
            kind=str(incoming.get("kind") or "event"),
        )
        if "id" in incoming and incoming["id"] != event["event"]["id"]:
            set_field(body, "soc.original_id", str(incoming["id"])[:256])
        merged_event = {**incoming, **event["event"]}
        merged_event.setdefault("original", incoming.get("original", text))
        for key, value in event.items():
            if key in ("event", "@timestamp"):
                continue
            if isinstance(value, dict) and isinstance(body.get(key), dict):
                body[key] = {**body[key], **value}
            else:
                body[key] = value
        body["event"] = merged_event
        return [body]
