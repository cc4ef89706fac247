"""The fields every parsed event shares: deterministic id, dataset, origin, zone; text decoding."""

from __future__ import annotations

import ipaddress
import math
from datetime import UTC, datetime
from typing import Any

from collectors.base import RawRecord
from soc.ecs import ECS_VERSION, Event, event_id, format_timestamp, normalise_timestamp, set_field
from soc.errors import ParseError, RecordRejected


def decode_text(record: RawRecord) -> str:
    """The record as UTF-8 text, refusing binary data and invalid encodings with a clear reason."""
    data = record.data
    nul = data.find(b"\x00")
    if nul >= 0:
        raise RecordRejected(f"binary data: NUL byte at offset {nul} of the record")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RecordRejected(f"invalid UTF-8 at byte {e.start} of the record") from e


def new_event(
    record: RawRecord,
    *,
    dataset: str,
    module: str,
    original: str | None,
    kind: str = "event",
    part: int | None = None,
) -> Event:
    """A fresh ECS event carrying the record's identity and origin.

    ``part`` distinguishes several events made from one record (the id must still be stable).
    """
    raw = record.data if part is None else record.data + b"\x00#" + str(part).encode()
    event: dict[str, Any] = {
        "id": event_id(record.source, raw, record.offset),
        "kind": kind,
        "dataset": dataset,
        "module": module,
    }
    if original is not None:
        event["original"] = original
    doc: Event = {
        "@timestamp": format_timestamp(record.received_at),
        "ecs": {"version": ECS_VERSION},
        "event": event,
    }
    if record.offset is not None:
        doc["log"] = {"file": {"path": record.source}, "offset": record.offset}
    elif record.peer:
        doc["log"] = {"source": {"address": record.peer}}
    if record.zone or record.agency:
        soc: dict[str, Any] = {}
        if record.zone:
            soc["zone"] = record.zone
        if record.agency:
            soc["agency_id"] = record.agency
        doc["soc"] = soc
    return doc


def to_int(value: Any) -> int | None:
    """An integer from JSON or text, or None when it is not one (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def set_ip(event: Event, dotted: str, value: str | None) -> bool:
    """Set ``dotted`` to the normalised address when ``value`` is an IP; say whether it was."""
    if not value:
        return False
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:a.b.c.d is an IPv4 client
    set_field(event, dotted, str(mapped or address))
    return True


def iso_timestamp(value: Any, what: str) -> str:
    """An ISO 8601 text → canonical ``@timestamp``, or ParseError naming ``what`` was wrong."""
    if not isinstance(value, str):
        raise ParseError(f"{what}: expected an ISO 8601 time, got {type(value).__name__}")
    try:
        return normalise_timestamp(value)
    except (ValueError, OverflowError) as e:
        raise ParseError(f"{what}: invalid time {value[:40]!r}") from e


def epoch_timestamp(value: Any, what: str) -> str:
    """Seconds since 1970 → canonical ``@timestamp``, or ParseError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParseError(f"{what}: expected seconds since 1970")
    try:
        return format_timestamp(datetime.fromtimestamp(value, UTC))
    except (ValueError, OverflowError, OSError) as e:
        raise ParseError(f"{what}: time out of range") from e
