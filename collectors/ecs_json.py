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
# ECS field sets (and ours) that are objects: a sender's ``"source": "10.0.0.1"`` or
# ``"host": ["x"]`` is refused here rather than stored in a shape that the enrichers, the store
# and the detections, which all read ``source.ip`` as a field of an object, do not expect.
OBJECT_FIELD_SETS = frozenset(
    {
        "agent", "as", "client", "cloud", "container", "data_stream", "destination", "device",
        "dll", "dns", "ecs", "email", "error", "event", "faas", "file", "geo", "group", "host",
        "http", "interface", "labels", "log", "network", "observer", "orchestrator",
        "organization", "os", "package", "process", "registry", "related", "rule", "server",
        "service", "soc", "source", "threat", "tls", "url", "user", "user_agent",
        "vulnerability", "winlog", "egov",
    }
)  # fmt: skip
# Field sets nested in those that are objects too: where addresses carry geo and AS data,
# and the log origin the inventory enrichment reads (``log.source.address``).
_ADDRESS_SETS = ("client", "destination", "host", "observer", "server", "source")
_NESTED_OBJECTS = (
    *((side, inner) for side in _ADDRESS_SETS for inner in ("geo", "as", "user")),
    ("log", "file"),
    ("log", "source"),
    ("user", "target"),
    ("process", "parent"),
)
_TEXT_EVENT_FIELDS = ("dataset", "module", "kind")  # stored as columns: must be text
# What the platform's enrichment owns (the system, agency, zone and security level an event
# belongs to): a sender must not be able to claim it. Dropped, the event is tagged.
PLATFORM_OWNED = ("soc", "organization")
CONTEXT_REMOVED_TAG = "_soc_context_removed"


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
        check_shape(body)
        tags = _tags(body)
        if _drop_platform_context(body):
            tags.append(CONTEXT_REMOVED_TAG)
        if tags:
            body["tags"] = tags
        incoming: dict[str, Any] = body.get("event") or {}
        event = new_event(
            record,
            dataset=incoming.get("dataset") or self.DATASET,
            module=incoming.get("module") or "ecs",
            original=None,
            kind=incoming.get("kind") or "event",
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


def check_shape(body: dict[str, Any]) -> None:
    """Refuse a document whose field sets are not objects, or whose event names are not text.

    A field set sent as ``null`` is taken as absent (removed).
    """
    for key in [key for key in OBJECT_FIELD_SETS.intersection(body) if body[key] is None]:
        del body[key]
    for key, value in body.items():
        if key in OBJECT_FIELD_SETS and not isinstance(value, dict):
            raise ParseError(f"ECS field set {key!r} must be an object, got {_kind(value)}")
    for outer, inner in _NESTED_OBJECTS:
        node = body.get(outer)
        if isinstance(node, dict) and inner in node and not isinstance(node[inner], dict):
            raise ParseError(
                f"ECS field set '{outer}.{inner}' must be an object, got {_kind(node[inner])}"
            )
    event = body.get("event") or {}
    for key in _TEXT_EVENT_FIELDS:
        value = event.get(key)
        if value is not None and not isinstance(value, str):
            raise ParseError(f"ECS field 'event.{key}' must be text, got {_kind(value)}")


def _tags(body: Mapping[str, Any]) -> list[Any]:
    """The sender's tags as a list (one text is a list of one); other shapes are refused."""
    tags = body.get("tags")
    if tags is None:
        return []
    if isinstance(tags, str):
        return [tags]
    if isinstance(tags, list) and all(isinstance(tag, str) for tag in tags):
        return list(tags)
    raise ParseError(f"ECS field 'tags' must be text or a list of text, got {_kind(tags)}")


def _drop_platform_context(body: dict[str, Any]) -> bool:
    """Remove the fields the platform's enrichment owns; say whether the sender sent any."""
    removed = False
    for key in PLATFORM_OWNED:
        if body.pop(key, None) is not None:
            removed = True
    return removed


def _kind(value: Any) -> str:
    return {str: "text", list: "a list", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
