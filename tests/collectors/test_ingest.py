"""File ingestion end to end into the embedded store: counts, dead letters, idempotency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.base import DeadLetter, Parser, RawRecord
from collectors.ingest import ingest_files
from collectors.readers import LineReader
from collectors.registry import SourceType, build_source_types
from soc.config import IngestSettings
from soc.ecs import Event, get_field, time_ordered_id
from soc.errors import SocError
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore

GOOD = {
    "timestamp": "2026-01-01T00:00:00Z",
    "event_type": "alert",
    "src_ip": "10.0.0.1",
    "dest_ip": "10.0.0.2",
    "alert": {"signature_id": 1, "signature": "x", "severity": 3},
}


def test_suricata_dataset_ingests_180_alerts(
    datasets: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    files = sorted((datasets / "suricata-eve-alerts-dev").glob("*/eve-alerts.ndjson"))
    assert len(files) == 2
    seen: list[int] = []
    ingest_files(files, source_types["suricata-eve"], pipeline, progress=seen.append)
    assert sum(seen) == sum(f.stat().st_size for f in files)
    events = store.search(EventQuery(limit=1000))
    assert len(events) == 180
    for event in events:
        for name in ("source.ip", "destination.ip", "rule.id", "rule.name"):
            assert get_field(event, name), name
        assert event["event"]["kind"] == "alert"
    counters = pipeline.stats.counters("suricata-eve")
    assert counters.as_dict() == {"read": 180, "ingested": 180, "duplicates": 0, "rejected": 0}


def test_second_ingest_of_the_same_file_adds_nothing(
    tmp_path: Path, source_types, pipeline, store
) -> None:
    path = tmp_path / "eve.json"
    path.write_text("\n".join(json.dumps(GOOD | {"flow_id": i}) for i in range(50)) + "\n")
    ingest_files([path], source_types["suricata-eve"], pipeline)
    ingest_files([path], source_types["suricata-eve"], pipeline)
    assert store.count(EventQuery()) == 50
    counters = pipeline.stats.counters("suricata-eve")
    assert (counters.read, counters.ingested, counters.duplicates) == (100, 50, 50)


def test_reingest_under_another_source_type_stores_its_own_events(
    tmp_path: Path, source_types, pipeline, store
) -> None:
    path = tmp_path / "eve.json"
    path.write_text("\n".join(json.dumps(GOOD | {"flow_id": i}) for i in range(20)) + "\n")
    ingest_files([path], source_types["syslog"], pipeline)  # the wrong type: read as text
    pipeline.source_type = ""
    ingest_files([path], source_types["suricata-eve"], pipeline)  # the right one
    ingest_files([path], source_types["suricata-eve"], pipeline)  # again: nothing new
    assert store.count(EventQuery(dataset="suricata.eve")) == 20
    assert store.count(EventQuery()) == 40
    counters = pipeline.stats.counters("suricata-eve")
    assert (counters.read, counters.ingested, counters.duplicates) == (40, 20, 20)


def test_mixed_file_keeps_valid_lines_and_explains_rejects(
    tmp_path: Path, store: SqliteEventStore
) -> None:
    lines = [
        json.dumps(GOOD | {"flow_id": 1}).encode(),
        b'{"timestamp": "2026-01-01T00:00:00Z", "event_type": "al',
        json.dumps(GOOD | {"flow_id": 2}).encode(),
        b'{"timestamp": "2026-01-01T00:00:00Z", "event_type": "alert", "x": "\xc3\x28"}',
        b'{"pad": "' + b"A" * 10_000_000 + b'"}',
        json.dumps(GOOD | {"flow_id": 3}).encode(),
    ]
    path = tmp_path / "mixed.json"
    path.write_bytes(b"\n".join(lines))
    pipeline = Pipeline(store, batch_size=2)
    ingest_files([path], build_source_types(IngestSettings())["suricata-eve"], pipeline)
    assert store.count(EventQuery()) == 3
    letters = store.dead_letters()
    reasons = sorted(letter.reason for letter in letters)
    assert len(reasons) == 3
    assert any("not valid JSON" in r for r in reasons)
    assert any("invalid UTF-8" in r for r in reasons)
    assert "record exceeds 1048576 bytes" in reasons
    big = next(letter for letter in letters if letter.reason.startswith("record exceeds"))
    assert len(big.raw) == 65_536 and big.offset == sum(len(x) + 1 for x in lines[:4])
    assert all(letter.source_type == "suricata-eve" for letter in letters)
    assert pipeline.stats.counters("suricata-eve").as_dict() == {
        "read": 6,
        "ingested": 3,
        "duplicates": 0,
        "rejected": 3,
    }


class ExplodingParser(Parser):
    NAME = "exploding"
    DATASET = "test"

    def matches(self, record: RawRecord) -> bool:
        return True

    def parse(self, record: RawRecord) -> list[Event]:
        raise KeyError("boom")


def test_parser_bug_becomes_a_dead_letter(
    tmp_path: Path, pipeline: Pipeline, store: SqliteEventStore
) -> None:
    path = tmp_path / "x.log"
    path.write_text("one\ntwo\n")
    kind = SourceType("t", LineReader(), (ExplodingParser(),))
    ingest_files([path], kind, pipeline)
    letters = store.dead_letters()
    assert [d.reason for d in letters] == ["parser exploding failed: KeyError: 'boom'"] * 2
    assert isinstance(letters[0], DeadLetter)


def test_no_matching_parser_is_explained(
    tmp_path: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    path = tmp_path / "eve.json"
    path.write_text("[1, 2]\n")
    ingest_files([path], source_types["suricata-eve"], pipeline)
    (letter,) = store.dead_letters()
    assert "no parser of source type suricata-eve accepts this record" in letter.reason


def test_syslog_file_ingest(
    tmp_path: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    path = tmp_path / "auth.log"
    path.write_text(
        "Feb 10 23:21:05 web01 sshd[1]: Failed password for root from 203.0.113.7 port 5 ssh2\n"
        "Feb 10 23:21:06 web01 cron[2]: job ran\n"
    )
    ingest_files([path], source_types["syslog"], pipeline)
    assert store.count(EventQuery(dataset="linux.auth")) == 1
    assert store.count(EventQuery(dataset="syslog")) == 1


def test_missing_file_is_a_user_error(
    tmp_path: Path, source_types: dict[str, SourceType], pipeline: Pipeline
) -> None:
    with pytest.raises(SocError, match="not a readable file"):
        ingest_files([tmp_path / "nope.log"], source_types["syslog"], pipeline)


def test_a_record_is_identified_as_the_source_type_that_parses_it(source_types) -> None:
    from collectors.dispatch import parse_record
    from collectors.envelope import record_id

    line = json.dumps(GOOD).encode()
    kind = source_types["suricata-eve"]
    unlabelled = RawRecord(line, "/var/log/eve.json", 0)  # a reader that did not say its type
    events = parse_record(kind.parsers, unlabelled, kind.name, kind.keep_bytes)
    assert isinstance(events, list)
    stamp = events[0]["@timestamp"]
    as_eve = time_ordered_id(record_id("/var/log/eve.json", line, 0, "suricata-eve"), stamp)
    assert events[0]["event"]["id"] == as_eve
