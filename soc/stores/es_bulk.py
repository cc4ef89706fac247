"""Bulk ingest pieces: events → ``create`` actions keyed by ``event.id``, per-item outcome
classification, and the retry schedule with backoff (pure logic, no network)."""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson

from collectors.base import DeadLetter
from soc.ecs import Event, format_timestamp, get_field, parse_timestamp
from soc.stores.base import STORE_SOURCE_PREFIX, dead_letter_key
from soc.stores.es_schema import IndexLayout

MAX_BULK_DOCS = 5_000
MAX_BULK_BYTES = 8 * 1_048_576  # well under http.max_content_length (100 MB)
DEAD_LETTER_RAW_MAX = 1_048_576
REASON_MAX_CHARS = 2_000
STORE_SOURCE = STORE_SOURCE_PREFIX + "elasticsearch"

# Item errors that are about the document itself: retrying cannot help, so the event goes to
# the dead-letter index with the reason. Any other item error is about the cluster.
DOCUMENT_ERRORS = frozenset(
    {
        "mapper_parsing_exception",
        "document_parsing_exception",
        "strict_dynamic_mapping_exception",
        "mapper_exception",
        "x_content_parse_exception",
        "json_parse_exception",
        "illegal_argument_exception",
        "date_time_parse_exception",
        "number_format_exception",
        "max_bytes_length_exceeded_exception",
    }
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """One event ready for the bulk API: its id, its daily index and its JSON bytes."""

    event_id: str
    index: str
    body: bytes
    event: Event


@dataclass(frozen=True, slots=True)
class Prepared:
    events: list[PreparedEvent]
    rejected: list[DeadLetter]
    repeats: int  # same id more than once in the batch: kept once, counted as duplicates


def _reject(event: Event, reason: str) -> DeadLetter:
    raw = orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS)
    return DeadLetter(
        source=STORE_SOURCE,
        reason=reason[:REASON_MAX_CHARS],
        raw=raw[:DEAD_LETTER_RAW_MAX],
        source_type=str(get_field(event, "event.dataset") or ""),
    )


def _prepare_one(event: Event, layout: IndexLayout) -> PreparedEvent | DeadLetter:
    ident = get_field(event, "event.id")
    if not isinstance(ident, str) or not ident or len(ident.encode()) > 512:
        return _reject(event, "event has no usable event.id (a string of 1-512 bytes)")
    stamp = event.get("@timestamp")
    try:
        moment = parse_timestamp(stamp) if isinstance(stamp, str) else None
    except ValueError:
        moment = None
    if moment is None:
        return _reject(event, f"event has no valid @timestamp: {stamp!r:.100}")
    try:
        body = orjson.dumps(event, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as e:
        return _reject(event, f"event cannot be written as JSON: {e}")
    return PreparedEvent(ident, layout.events_index(moment), body, event)


def prepare(events: Sequence[Event], layout: IndexLayout) -> Prepared:
    """Bulk-ready events, plus the events refused before sending (kept as dead letters)."""
    ready: dict[str, PreparedEvent] = {}
    rejected: list[DeadLetter] = []
    repeats = 0
    for event in events:
        item = _prepare_one(event, layout)
        if isinstance(item, DeadLetter):
            rejected.append(item)
        elif item.event_id in ready:
            repeats += 1
        else:
            ready[item.event_id] = item
    return Prepared(list(ready.values()), rejected, repeats)


def chunks(
    items: Sequence[PreparedEvent], max_docs: int = MAX_BULK_DOCS, max_bytes: int = MAX_BULK_BYTES
) -> Iterator[list[PreparedEvent]]:
    """Bulk requests of at most ``max_docs`` events and about ``max_bytes`` bytes each."""
    chunk: list[PreparedEvent] = []
    size = 0
    for item in items:
        if chunk and (len(chunk) >= max_docs or size + len(item.body) > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item.body)
    if chunk:
        yield chunk


def create_action(index: str, doc_id: str) -> bytes:
    # op_type create: an id the index already holds answers 409 instead of overwriting.
    return orjson.dumps({"create": {"_index": index, "_id": doc_id}})


def bulk_lines(items: Iterable[PreparedEvent]) -> list[bytes]:
    """NDJSON lines of a bulk request: action, then the event, for each event."""
    lines: list[bytes] = []
    for item in items:
        lines.append(create_action(item.index, item.event_id))
        lines.append(item.body)
    return lines


class Outcome(Enum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"  # the document is bad: dead letter
    RETRY = "retry"  # the cluster is busy: send again after a pause
    FAILED = "failed"  # the cluster refuses: the caller must keep the batch


def _error_types(error: Mapping[str, Any]) -> Iterator[str]:
    node: Any = error
    for _ in range(8):  # caused_by chains are short; the bound keeps a hostile reply cheap
        if not isinstance(node, Mapping):
            return
        yield str(node.get("type", ""))
        node = node.get("caused_by")


def classify(item: Mapping[str, Any]) -> tuple[Outcome, str]:
    """Outcome of one bulk response item, and the reason when it is not a success."""
    result: Mapping[str, Any] = next(iter(item.values()), {}) if item else {}
    status = int(result.get("status", 0))
    error = result.get("error")
    if 200 <= status < 300 and not error:
        return Outcome.CREATED, ""
    if not isinstance(error, Mapping):
        error = {"type": "error", "reason": f"HTTP {status}"}
    reason = describe(error)
    if status == 409:
        return Outcome.DUPLICATE, reason
    if status in RETRY_STATUSES:
        return Outcome.RETRY, reason
    if status == 400 and any(t in DOCUMENT_ERRORS for t in _error_types(error)):
        return Outcome.REJECTED, reason
    return Outcome.FAILED, reason


def describe(error: Mapping[str, Any]) -> str:
    """``type: reason (caused by type: reason)`` of an Elasticsearch error object."""
    text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
    cause = error.get("caused_by")
    if isinstance(cause, Mapping):
        text += f" (caused by {cause.get('type', 'error')}: {cause.get('reason', '')})"
    return text[:REASON_MAX_CHARS]


def rejected_letter(item: PreparedEvent, reason: str) -> DeadLetter:
    return DeadLetter(
        source=STORE_SOURCE,
        reason=f"elasticsearch refused the event: {reason}"[:REASON_MAX_CHARS],
        raw=item.body[:DEAD_LETTER_RAW_MAX],
        source_type=str(get_field(item.event, "event.dataset") or ""),
    )


def dead_letter_id(letter: DeadLetter) -> str:
    """The letter's document ``_id``: the store-neutral key, so a re-sent letter is kept once."""
    return dead_letter_key(letter)


def dead_letter_document(letter: DeadLetter) -> dict[str, Any]:
    raw = letter.raw[:DEAD_LETTER_RAW_MAX]
    return {
        "@timestamp": format_timestamp(letter.received_at),
        "message": letter.reason,
        "dead_letter": {
            "source": letter.source,
            "source_type": letter.source_type,
            "offset": letter.offset,
            "raw_base64": base64.b64encode(raw).decode("ascii"),
            "raw_bytes": len(letter.raw),
        },
    }


def dead_letter_from(source: Mapping[str, Any]) -> DeadLetter:
    info = source.get("dead_letter", {})
    offset = info.get("offset")
    return DeadLetter(
        source=str(info.get("source", "")),
        reason=str(source.get("message", "")),
        raw=base64.b64decode(info.get("raw_base64", "")),
        offset=int(offset) if offset is not None else None,
        source_type=str(info.get("source_type") or ""),
        received_at=parse_timestamp(str(source["@timestamp"])),
    )


@dataclass
class Backoff:
    """Exponential pauses between attempts: ``base·2^n`` capped at ``cap``, with jitter so that
    many collectors do not hammer a recovering cluster in step."""

    retries: int = 3
    base: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * 2.0**attempt)
        return ceiling / 2 + ceiling / 2 * float(self.jitter())

    def pause(self, attempt: int) -> None:
        self.sleep(self.delay(attempt))
