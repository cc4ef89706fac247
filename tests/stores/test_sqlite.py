"""The embedded event store: idempotent writes, search filters, aggregation, dead letters."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.base import DeadLetter
from soc.ecs import Event, event_id
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore, json_path


def make_event(n: int, dataset: str = "linux.auth", ip: str = "10.0.0.1") -> Event:
    return {
        "@timestamp": f"2026-11-01T00:00:{n:02d}.000000Z",
        "event": {"id": event_id("test", str(n).encode()), "dataset": dataset, "kind": "event"},
        "source": {"ip": ip},
        "user": {"name": f"user{n % 3}"},
        "winlog": {"event_data": {"Image": f"C:\\x{n}.exe"}},
        "message": f"Failed password for user{n} 100%_done",
    }


def test_write_is_idempotent_and_reports_duplicate_ids(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    batch = [make_event(i) for i in range(10)]
    first = store.write(batch)
    assert (first.ingested, first.duplicates) == (10, 0)
    again = store.write([*batch[:4], make_event(10)])
    assert (again.ingested, again.duplicates) == (1, 4)
    assert again.duplicate_ids == {e["event"]["id"] for e in batch[:4]}
    assert store.count(EventQuery()) == 11


def test_repeats_inside_one_batch_are_duplicates(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    result = store.write([make_event(1), make_event(1)])
    assert (result.ingested, result.duplicates) == (1, 1)


def test_search_filters(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    store.write([make_event(i, "linux.auth" if i % 2 else "cisco.asa") for i in range(20)])
    auth = store.search(EventQuery(dataset="linux.auth", limit=100))
    assert len(auth) == 10 and all(e["event"]["dataset"] == "linux.auth" for e in auth)
    assert auth[0]["@timestamp"] > auth[-1]["@timestamp"]  # newest first
    since = datetime(2026, 11, 1, 0, 0, 15, tzinfo=UTC)
    assert store.count(EventQuery(since=since)) == 5
    assert store.count(EventQuery(terms={"user.name": "user1"})) == 7
    assert store.count(EventQuery(terms={"winlog.event_data.Image": "C:\\x3.exe"})) == 1
    assert store.count(EventQuery(text="100%_done")) == 20
    assert store.count(EventQuery(text="100%_donX")) == 0
    one = store.search(EventQuery(ids=(auth[0]["event"]["id"],)))
    assert one == [auth[0]]
    assert store.newest_timestamp(EventQuery(dataset="cisco.asa")) == datetime(
        2026, 11, 1, 0, 0, 18, tzinfo=UTC
    )
    assert store.oldest_timestamp(EventQuery(dataset="linux.auth")) == datetime(
        2026, 11, 1, 0, 0, 1, tzinfo=UTC
    )
    assert store.newest_timestamp(EventQuery(dataset="none")) is None


def test_aggregate_top_values(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    store.write([make_event(i, ip="10.0.0.9" if i < 7 else "10.0.0.8") for i in range(10)])
    buckets = store.aggregate("source.ip", EventQuery())
    assert [(b.key, b.count) for b in buckets] == [("10.0.0.9", 7), ("10.0.0.8", 3)]
    users = store.aggregate("user.name", EventQuery(), size=1)
    assert [(b.key, b.count) for b in users] == [("user0", 4)]


def test_dead_letters_keep_raw_bytes_and_reason(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db")
    store.write_dead_letters([DeadLetter("f.log", "invalid UTF-8", b"\xff\xfe", offset=7)])
    (letter,) = store.dead_letters()
    assert (letter.raw, letter.reason, letter.offset) == (b"\xff\xfe", "invalid UTF-8", 7)


def test_reader_sees_committed_data_while_writer_writes(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    writer = SqliteEventStore(path)
    reader = SqliteEventStore(path)
    counts: list[int] = []

    def write() -> None:
        for b in range(20):
            writer.write([make_event(b * 100 + i) for i in range(50)])

    t = threading.Thread(target=write)
    t.start()
    while t.is_alive():
        counts.append(reader.count(EventQuery()))
    t.join()
    assert reader.count(EventQuery()) == 1000
    assert counts == sorted(counts)  # never goes backwards: readers see whole commits


def test_json_path_quotes_labels() -> None:
    assert json_path("winlog.event_data.Image") == '$."winlog"."event_data"."Image"'


def test_new_store_uses_large_pages_and_keeps_documents_as_json_text(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    store.write([make_event(1)])
    conn = store._conn()
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 16_384
    kind, name = conn.execute(
        "SELECT typeof(doc), json_extract(doc, '$.user.name') FROM events"
    ).fetchone()
    assert (kind, name) == ("text", "user1")
    assert store.search(EventQuery(text="100%_done"))[0]["message"].endswith("100%_done")


def test_purge_removes_old_events_and_dead_letters_but_never_the_newest_row(
    tmp_path: Path,
) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    store.write([make_event(n) for n in range(10)])  # 00:00:00 … 00:00:09
    at = datetime(2026, 1, 1, tzinfo=UTC)
    old = DeadLetter(source="s", reason="bad", raw=b"x", received_at=at)
    store.write_dead_letters([old])
    cutoff = datetime(2026, 11, 1, 0, 0, 5, tzinfo=UTC)
    assert store.purge_before(cutoff) == 5
    left = sorted(e["@timestamp"] for e in store.search(EventQuery(limit=100)))
    assert left[0] == "2026-11-01T00:00:05.000000Z" and len(left) == 5
    assert store.dead_letter_count() == 0
    # everything expired: the newest row stays, so rowids keep growing for checkpoints
    assert store.purge_before(datetime(2027, 1, 1, tzinfo=UTC)) == 4
    assert store.count(EventQuery()) == 1
    store.write([make_event(20, ip="10.9.9.9")])
    rowids = [r[0] for r in store._conn().execute("SELECT rowid FROM events ORDER BY rowid")]
    assert rowids == sorted(rowids) and rowids[-1] == 11


def test_purge_works_through_many_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from soc.stores import sqlite as module

    monkeypatch.setattr(module, "_PURGE_CHUNK", 3)
    store = SqliteEventStore(tmp_path / "e.db")
    store.write([make_event(n) for n in range(11)])
    assert store.purge_before(datetime(2026, 11, 2, tzinfo=UTC)) == 10
    assert store.count(EventQuery()) == 1


def test_fields_that_should_be_objects_but_are_not_leave_their_columns_empty(
    tmp_path: Path,
) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    odd = make_event(1) | {
        "source": "10.0.0.1",
        "destination": ["10.0.0.2"],
        "host": "web-01",
        "user": ["root"],
        "soc": 7,
        "rule": "SSH brute force",
    }
    result = store.write([odd, make_event(2)])
    assert (result.ingested, result.duplicates) == (2, 0)
    (back,) = store.search(EventQuery(ids=(odd["event"]["id"],)))
    assert back == odd  # the document is kept whole
    columns = store._conn().execute(
        "SELECT source_ip, destination_ip, host, user, system_id, rule_name FROM events"
        " WHERE id = ?",
        (odd["event"]["id"],),
    )
    assert columns.fetchone() == (None,) * 6
    assert store.count(EventQuery(terms={"source.ip": "10.0.0.1"})) == 1  # the other event
