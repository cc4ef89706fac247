"""Stored event ids: the time in milliseconds first, then the record's hash (soc.ecs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collectors.base import RawRecord
from collectors.dispatch import parse_record
from collectors.ingest import ingest_files
from collectors.registry import build_source_types
from soc.config import IngestSettings
from soc.ecs import UNTIMED_PREFIX, event_id, time_ordered_id
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore

HASH = event_id("test", b"a record")


def test_the_id_starts_with_the_time_in_milliseconds_and_keeps_the_hash() -> None:
    made = time_ordered_id(HASH, "2026-03-01T01:00:00.123456Z")
    ms = int(datetime(2026, 3, 1, 1, tzinfo=UTC).timestamp()) * 1000 + 123
    assert made == f"{ms:012x}{HASH[:20]}"
    assert len(made) == 32


def test_ids_sort_as_their_times_do_whatever_their_hashes() -> None:
    start = datetime(2026, 3, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=n * 7, seconds=n) for n in range(300)]
    ids = [
        time_ordered_id(event_id("t", str(n).encode()), m.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        for n, m in enumerate(moments)
    ]
    assert ids == sorted(ids)


def test_any_iso_time_gives_the_same_prefix_as_its_canonical_form() -> None:
    canonical = time_ordered_id(HASH, "2026-03-01T01:00:00.500000Z")
    assert time_ordered_id(HASH, "2026-03-01T08:00:00.5+07:00") == canonical


def test_no_time_or_an_unreadable_one_gets_the_untimed_prefix() -> None:
    assert time_ordered_id(HASH, None) == UNTIMED_PREFIX + HASH[:20]
    assert time_ordered_id(HASH, "yesterday") == UNTIMED_PREFIX + HASH[:20]
    assert time_ordered_id(HASH, "2026-13-45T99:00:00.000000Z") == UNTIMED_PREFIX + HASH[:20]


def test_times_before_the_epoch_or_beyond_twelve_digits_stay_twelve_digits() -> None:
    assert time_ordered_id(HASH, "1900-01-01T00:00:00.000000Z")[:12] == UNTIMED_PREFIX
    assert time_ordered_id(HASH, "9999-12-31T23:59:59.999000+00:00")[:12] != UNTIMED_PREFIX
    assert len(time_ordered_id(HASH, "9999-12-31T23:59:59.999000Z")) == 32


def _syslog_type():  # type: ignore[no-untyped-def]
    return build_source_types(IngestSettings())["syslog"]


def test_a_file_line_without_a_time_of_its_own_gets_the_same_id_when_read_again() -> None:
    kind = _syslog_type()
    line = b"%ASA-4-106023: Deny tcp src outside:203.0.113.9/4444 dst inside:10.0.0.5/22"
    first = RawRecord(line, "/var/log/asa.log", 0, received_at=datetime(2026, 3, 1, tzinfo=UTC))
    later = first._replace(received_at=datetime(2026, 3, 2, tzinfo=UTC))
    a, b = (parse_record(kind.parsers, r, kind.name, 1024) for r in (first, later))
    assert isinstance(a, list) and isinstance(b, list)
    assert a[0]["@timestamp"] != b[0]["@timestamp"]  # the time it was read
    assert a[0]["event"]["id"] == b[0]["event"]["id"]
    assert a[0]["event"]["id"].startswith(UNTIMED_PREFIX)


def test_a_network_message_without_a_time_resent_later_gets_the_same_id() -> None:
    kind = _syslog_type()
    arrived = datetime(2026, 3, 1, 2, tzinfo=UTC)
    record = RawRecord(b"%ASA-4-106023: Deny tcp", "syslog://10.0.0.1", None, "10.0.0.1", arrived)
    resent = record._replace(received_at=arrived + timedelta(minutes=5))
    a, b = (parse_record(kind.parsers, r, kind.name, 1024) for r in (record, resent))
    assert isinstance(a, list) and isinstance(b, list)
    assert a[0]["event"]["id"] == b[0]["event"]["id"]
    assert a[0]["event"]["id"].startswith(UNTIMED_PREFIX)


def test_a_network_message_with_its_own_time_is_placed_at_that_time() -> None:
    kind = _syslog_type()
    line = b"<34>1 2026-03-01T02:00:00.250Z fw1 sshd 42 - - Failed password for root"
    record = RawRecord(line, "syslog://10.0.0.1", None, "10.0.0.1", datetime.now(UTC))
    events = parse_record(kind.parsers, record, kind.name, 1024)
    assert isinstance(events, list)
    at = int(datetime(2026, 3, 1, 2, tzinfo=UTC).timestamp()) * 1000 + 250
    assert events[0]["event"]["id"][:12] == f"{at:012x}"


def test_a_file_ingested_twice_is_stored_once_in_time_order(tmp_path: Path) -> None:
    start = datetime(2026, 3, 1, 1, tzinfo=UTC)
    lines = [
        json.dumps(
            {
                "timestamp": (start + timedelta(seconds=n)).isoformat(),
                "event_type": "dns",
                "src_ip": "10.0.0.1",
                "dest_ip": "10.0.0.2",
                "dns": {"type": "query", "rrname": f"host{n}.example"},
            }
        )
        for n in range(50)
    ]
    eve = tmp_path / "eve.json"
    eve.write_text("\n".join(lines) + "\n")
    store = SqliteEventStore(tmp_path / "events.db")
    kind = build_source_types(IngestSettings())["suricata-eve"]
    for _ in range(2):
        ingest_files([eve], kind, Pipeline(store, batch_size=7))
    stored = store.search(EventQuery(limit=1000, ascending=True))
    ids = [e["event"]["id"] for e in stored]
    assert len(ids) == 50 == len(set(ids))
    assert ids == sorted(ids)
