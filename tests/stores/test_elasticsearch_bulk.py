"""Bulk actions keyed by event.id, per-item outcome classification, dead-letter documents."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from collectors.base import DeadLetter
from soc.ecs import Event
from soc.stores.es_bulk import (
    DEAD_LETTER_RAW_MAX,
    Outcome,
    PreparedEvent,
    bulk_lines,
    chunks,
    classify,
    dead_letter_document,
    dead_letter_from,
    dead_letter_id,
    prepare,
    rejected_letter,
)
from soc.stores.es_schema import IndexLayout

LAYOUT = IndexLayout()


def event(ident: str, stamp: str = "2026-11-01T08:00:00+07:00") -> Event:
    return {"@timestamp": stamp, "event": {"id": ident, "dataset": "nginx.access"}}


def test_prepare_routes_each_event_to_the_day_of_its_own_time() -> None:
    prepared = prepare([event("a"), event("b", "2026-10-31T23:59:59Z")], LAYOUT)
    assert [(p.event_id, p.index) for p in prepared.events] == [
        ("a", "logs-soc-events-2026.11.01"),
        ("b", "logs-soc-events-2026.10.31"),
    ]
    assert json.loads(prepared.events[0].body) == event("a")
    assert prepared.rejected == [] and prepared.repeats == 0


def test_prepare_keeps_one_copy_of_a_repeated_id() -> None:
    prepared = prepare([event("a"), event("a"), event("b")], LAYOUT)
    assert [p.event_id for p in prepared.events] == ["a", "b"]
    assert prepared.repeats == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"@timestamp": "2026-11-01T00:00:00Z", "event": {}}, "event.id"),
        ({"@timestamp": "2026-11-01T00:00:00Z", "event": {"id": 42}}, "event.id"),
        ({"@timestamp": "2026-11-01T00:00:00Z", "event": {"id": "x" * 600}}, "event.id"),
        ({"event": {"id": "a"}}, "@timestamp"),
        ({"@timestamp": "yesterday", "event": {"id": "a"}}, "@timestamp"),
        ({"@timestamp": 1730419200, "event": {"id": "a"}}, "@timestamp"),
        ({"@timestamp": "2026-11-01T00:00:00Z", "event": {"id": "a"}, "x": {1, 2}}, "JSON"),
    ],
)
def test_prepare_refuses_events_it_cannot_store(bad: Event, reason: str) -> None:
    prepared = prepare([bad, event("ok")], LAYOUT)
    assert [p.event_id for p in prepared.events] == ["ok"]
    (letter,) = prepared.rejected
    assert reason in letter.reason
    assert letter.source == "store:elasticsearch" and letter.raw  # the event itself is kept


def test_bulk_lines_are_create_actions_keyed_by_event_id() -> None:
    prepared = prepare([event("a"), event("b")], LAYOUT).events
    lines = [orjson.loads(line) for line in bulk_lines(prepared)]
    assert lines[0] == {"create": {"_index": "logs-soc-events-2026.11.01", "_id": "a"}}
    assert lines[1] == event("a")
    assert lines[2]["create"]["_id"] == "b" and len(lines) == 4


def sized(n: int, size: int) -> list[PreparedEvent]:
    return [PreparedEvent(str(i), "i", b"x" * size, {}) for i in range(n)]


def test_chunks_bound_documents_and_bytes() -> None:
    assert [len(c) for c in chunks(sized(7, 10), max_docs=3)] == [3, 3, 1]
    assert [len(c) for c in chunks(sized(5, 40), max_docs=100, max_bytes=100)] == [2, 2, 1]
    # an event larger than the byte budget still goes, alone
    assert [len(c) for c in chunks(sized(2, 500), max_bytes=100)] == [1, 1]
    assert list(chunks([])) == []


def item(status: int, kind: str | None = None, cause: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"_index": "i", "_id": "a", "status": status}
    if kind:
        result["error"] = {"type": kind, "reason": f"{kind} reason"}
        if cause:
            result["error"]["caused_by"] = {"type": cause, "reason": "deeper"}
    return {"create": result}


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (item(201), Outcome.CREATED),
        (item(409, "version_conflict_engine_exception"), Outcome.DUPLICATE),
        (item(400, "mapper_parsing_exception"), Outcome.REJECTED),
        (item(400, "document_parsing_exception", "illegal_argument_exception"), Outcome.REJECTED),
        (
            item(400, "illegal_argument_exception", "max_bytes_length_exceeded_exception"),
            Outcome.REJECTED,
        ),
        (item(400, "some_wrapper_exception", "date_time_parse_exception"), Outcome.REJECTED),
        (item(400, "index_closed_exception"), Outcome.FAILED),
        (item(400, "validation_exception"), Outcome.FAILED),
        (item(403, "cluster_block_exception"), Outcome.FAILED),
        (item(403, "security_exception"), Outcome.FAILED),
        (item(404, "index_not_found_exception"), Outcome.FAILED),
        (item(429, "es_rejected_execution_exception"), Outcome.RETRY),
        (item(503, "unavailable_shards_exception"), Outcome.RETRY),
        (item(500), Outcome.RETRY),
        ({}, Outcome.FAILED),
    ],
)
def test_classify_bulk_items(reply: dict[str, Any], outcome: Outcome) -> None:
    assert classify(reply)[0] is outcome


def test_classify_gives_the_reason_with_its_cause() -> None:
    _, reason = classify(item(400, "document_parsing_exception", "illegal_argument_exception"))
    assert reason == (
        "document_parsing_exception: document_parsing_exception reason "
        "(caused by illegal_argument_exception: deeper)"
    )
    assert classify(item(201)) == (Outcome.CREATED, "")


def test_rejected_events_keep_their_json_and_dataset() -> None:
    (prepared,) = prepare([event("a")], LAYOUT).events
    letter = rejected_letter(prepared, "mapper_parsing_exception: failed to parse [source.ip]")
    assert letter.reason.startswith("elasticsearch refused the event: mapper_parsing")
    assert json.loads(letter.raw) == event("a")
    assert letter.source_type == "nginx.access"


def test_dead_letter_document_round_trip_and_stable_id() -> None:
    moment = datetime(2026, 11, 1, 1, 2, 3, tzinfo=UTC)
    letter = DeadLetter("file:/var/log/x", "binary record", b"\x00\xff" * 3, 99, "x", moment)
    doc = dead_letter_document(letter)
    assert doc["dead_letter"]["raw_base64"] == "AP8A/wD/"
    assert doc["@timestamp"] == "2026-11-01T01:02:03.000000Z"
    assert dead_letter_from(doc) == letter
    later = DeadLetter("file:/var/log/x", "binary record", b"\x00\xff" * 3, 99, "x")
    assert dead_letter_id(later) == dead_letter_id(letter)  # received again: same id
    other = DeadLetter("file:/var/log/x", "binary record", b"\x00\xff" * 3, 100, "x")
    assert dead_letter_id(other) != dead_letter_id(letter)


def test_dead_letter_raw_bytes_are_bounded() -> None:
    letter = DeadLetter("s", "too big", b"a" * (DEAD_LETTER_RAW_MAX + 10))
    doc = dead_letter_document(letter)
    assert doc["dead_letter"]["raw_bytes"] == DEAD_LETTER_RAW_MAX + 10
    assert len(dead_letter_from(doc).raw) == DEAD_LETTER_RAW_MAX


def test_dead_letter_id_keeps_each_network_arrival_but_not_a_new_reason() -> None:
    moment = datetime(2026, 11, 1, 1, 2, 3, tzinfo=UTC)
    first = DeadLetter("syslog://10.0.0.5", "unparsable", b"<13>x", None, "syslog", moment)
    again = DeadLetter("syslog://10.0.0.5", "unparsable", b"<13>x", None, "syslog")
    assert dead_letter_id(again) != dead_letter_id(first)  # no offset: each arrival is a record
    reworded = DeadLetter("syslog://10.0.0.5", "parser failed", b"<13>x", None, "syslog", moment)
    assert dead_letter_id(reworded) == dead_letter_id(first)


def test_the_stores_own_refusal_of_an_event_keeps_one_id_across_replays() -> None:
    refused = PreparedEvent("a", "logs-soc-events-2026.11.01", orjson.dumps(event("a")), event("a"))
    first = rejected_letter(refused, "mapper_parsing_exception: x")
    replayed = replace(first, received_at=first.received_at + timedelta(days=1))
    assert dead_letter_id(first) == dead_letter_id(replayed)
