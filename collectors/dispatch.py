"""Running one raw record through a source type's parsers: events, or a dead letter with why."""

from __future__ import annotations

from collectors.base import DeadLetter, Parser, RawRecord
from collectors.timestamps import received_stamp
from soc.ecs import Event, time_ordered_id
from soc.errors import ParseError


def parse_record(
    parsers: tuple[Parser, ...], record: RawRecord, source_type: str, keep_bytes: int
) -> list[Event] | DeadLetter:
    """The first parser whose ``matches`` is true parses; a refusal becomes a dead letter.

    This is the plugin loop: the one place that catches any exception, and records it. The
    record is read as ``source_type`` (part of its events' ids) whatever its reader said. The
    events leave with their stored ids, in time order (``time_ordered_id``).
    """
    if record.source_type != source_type and source_type:
        record = record._replace(source_type=source_type)
    for parser in parsers:
        try:
            if not parser.matches(record):
                continue
            events = parser.parse(record)
            events = events if type(events) is list else list(events)
            _order_ids(events, record)
            return events
        except ParseError as e:
            return _letter(record, source_type, keep_bytes, f"{parser.NAME}: {e.message}")
        except Exception as e:  # a parser bug must not stop the stream; it is kept as data
            reason = f"parser {parser.NAME} failed: {type(e).__name__}: {e}"
            return _letter(record, source_type, keep_bytes, reason[:1000])
    names = ", ".join(p.NAME for p in parsers)
    reason = f"no parser of source type {source_type} accepts this record (tried: {names})"
    return _letter(record, source_type, keep_bytes, reason)


def _order_ids(events: list[Event], record: RawRecord) -> None:
    """Prefix each event's id with its time. A record that carries no time of its own (its
    ``@timestamp`` is when it was received) gets the untimed prefix instead: read again after a
    restart, or resent by a sender that does not know what was committed, it must get the same
    id."""
    untimed = received_stamp(record.received_at)
    for event in events:
        meta, stamp = event["event"], event.get("@timestamp")
        timed = type(stamp) is str and stamp != untimed
        meta["id"] = time_ordered_id(meta["id"], stamp if timed else None)


def _letter(record: RawRecord, source_type: str, keep_bytes: int, reason: str) -> DeadLetter:
    return DeadLetter(
        source=record.source,
        reason=reason,
        raw=record.data[:keep_bytes],
        offset=record.offset,
        source_type=source_type or record.source_type,
        received_at=record.received_at,
    )
