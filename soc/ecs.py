"""ECS event helpers: dotted-field access, timestamps and the deterministic event id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

# An event is a nested ECS document (``{"source": {"ip": ...}}``); the platform's own fields
# live under ``soc.*``. Kept as plain dicts: they go to JSON, SQLite and Elasticsearch unchanged.
Event = dict[str, Any]

ECS_VERSION = "8.11.0"
ZONES = ("datacenter", "man", "egov", "party", "ot", "lab", "external")


def get_field(event: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """Value at a dotted ECS path; flat keys containing dots (``winlog.event_data``) work too."""
    if dotted in event:
        return event[dotted]
    node: Any = event
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        # dict first: the ABC check is ten times slower and events are plain dicts
        if type(node) is not dict and not isinstance(node, Mapping):
            return default
        if part in node:
            node = node[part]
            continue
        return node.get(".".join(parts[i:]), default) if i < len(parts) - 1 else default
    return node


def set_field(event: Event, dotted: str, value: Any) -> None:
    """Set a dotted ECS path, creating the intermediate objects."""
    node = event
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[leaf] = value


def flatten(event: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_name, value)`` for every leaf; lists are leaves."""
    for key, value in event.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value


def event_id(source_key: str, raw: bytes, offset: int | None = None) -> str:
    """Deterministic id from where a record came from and its bytes.

    ``offset`` is included only where identical records are legitimately distinct (the same line
    twice in one file); replaying the same source therefore never creates a second event.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(source_key.encode("utf-8", "surrogateescape"))
    h.update(b"\x00")
    if offset is not None:
        h.update(str(offset).encode())
    h.update(b"\x00")
    h.update(raw)
    return h.hexdigest()


# Milliseconds since the epoch of each UTC second met lately ("2026-03-01T01:00:00" → ms): the
# events of a stream share their seconds, so the date arithmetic runs once a second, not per event.
_seconds: dict[str, int] = {}
_SECONDS_REMEMBERED = 4096
UNTIMED_PREFIX = "0" * 12
_TIMED_ID_DIGEST = 20  # hex digits of the record's hash kept after the 12 of its time
_LAST_MS = 0xFFFF_FFFF_FFFF


def time_ordered_id(record_id: str, timestamp: str | None) -> str:
    """The stored id of an event: 12 hex digits of its time in ms, then 20 of its record id.

    ``record_id`` is ``event_id``'s hash of where the record came from and its bytes, so the
    result is as deterministic as the time it is given: the event's own ``@timestamp``, or
    ``None`` for a record with no time of its own (a file may be read again, a sender may resend),
    which gets ``UNTIMED_PREFIX``. Ids in time order keep the store's id index append-mostly:
    random ids touch a leaf page of the index per event, so each commit rewrote most of the
    index once the store held a few hundred thousand events (the write cost doubled by 600,000).
    80 bits of hash within one millisecond leave collisions out of reach.
    """
    ms = None if timestamp is None else _epoch_ms(timestamp)
    prefix = UNTIMED_PREFIX if ms is None else f"{ms:012x}"
    return prefix + record_id[:_TIMED_ID_DIGEST]


def _epoch_ms(timestamp: str) -> int | None:
    """Milliseconds since the epoch, clamped to 12 hex digits; None for a text that is no time.
    The canonical ``@timestamp`` (``2026-03-01T01:00:00.123456Z``) is read by its second."""
    if len(timestamp) == 27 and timestamp[19] == "." and timestamp[26] == "Z":
        second = _seconds.get(timestamp[:19])
        if second is None:
            second = _second_ms(timestamp[:19])
        fraction = timestamp[20:23]
        if second is not None and fraction.isdigit():
            return second + int(fraction)
    try:
        moment = parse_timestamp(timestamp)
    except ValueError:
        return None
    return min(max(0, int(moment.timestamp()) * 1000 + moment.microsecond // 1000), _LAST_MS)


def _second_ms(second: str) -> int | None:
    """The ms of a UTC ``YYYY-MM-DDTHH:MM:SS``, remembered (clamped so that adding the
    millisecond stays within 12 hex digits)."""
    try:
        moment = datetime.fromisoformat(second).replace(tzinfo=UTC)
    except ValueError:
        return None
    if len(_seconds) >= _SECONDS_REMEMBERED:
        _seconds.clear()
    ms = _seconds[second] = min(max(0, int(moment.timestamp()) * 1000), _LAST_MS - 999)
    return ms


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """ECS ``@timestamp``: ISO 8601 in UTC with microseconds and a ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601 (``Z``, ``+07:00``, ``-0600`` offsets); naive times are taken as UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit() and value[-3] != ":":
        value = f"{value[:-2]}:{value[-2:]}"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalise_timestamp(text: str) -> str:
    """Any ISO 8601 text → the canonical UTC form used for ``@timestamp`` and range queries."""
    return format_timestamp(parse_timestamp(text))
