"""Dead letters in the embedded store: one row per refused record, old files keyed on open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collectors.base import DeadLetter
from soc.stores.sqlite import SqliteEventStore

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def file_letters(received_at: datetime) -> list[DeadLetter]:
    """Six bad lines of one file, as one ingest run refuses them."""
    return [
        DeadLetter("/var/log/app.log", "not JSON", b"bad %d" % n, n * 10, "ecs-json", received_at)
        for n in range(6)
    ]


def test_reingesting_a_file_does_not_store_its_dead_letters_again(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    store.write_dead_letters(file_letters(T0))
    store.write_dead_letters(file_letters(T0 + timedelta(hours=1)))
    store.write_dead_letters(file_letters(T0 + timedelta(days=1)))
    assert store.dead_letter_count() == 6
    assert {d.received_at for d in store.dead_letters()} == {T0}  # the first refusal is kept


def test_a_record_refused_again_for_another_reason_is_still_one_letter(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    letter = DeadLetter("/var/log/app.log", "not JSON", b"{", 0, "ecs-json", T0)
    store.write_dead_letters([letter])
    store.write_dead_letters([DeadLetter("/var/log/app.log", "parser failed", b"{", 0, "ecs-json")])
    assert [d.reason for d in store.dead_letters()] == ["not JSON"]


def test_identical_network_records_received_at_different_times_are_all_kept(
    tmp_path: Path,
) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    first = DeadLetter("syslog://10.0.0.5", "unparsable", b"<13>junk", None, "syslog", T0)
    second = DeadLetter(
        "syslog://10.0.0.5", "unparsable", b"<13>junk", None, "syslog", T0 + timedelta(seconds=1)
    )
    store.write_dead_letters([first, second])
    store.write_dead_letters([first])  # the same letter again (a spool replay): kept once
    assert store.dead_letter_count() == 2


def test_dead_letters_from_one_source_newest_first(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    store.write_dead_letters(file_letters(T0))
    store.write_dead_letters([DeadLetter("/var/log/other.log", "not JSON", b"x", 0, "ecs-json")])
    letters = store.dead_letters_from("/var/log/app.log", limit=2)
    assert [d.offset for d in letters] == [50, 40]
    assert store.dead_letters_from("/nowhere") == []


OLD_LAYOUT = """
CREATE TABLE dead_letters (
    rowid INTEGER PRIMARY KEY,
    at TEXT NOT NULL, source TEXT NOT NULL, source_type TEXT, "offset" INTEGER,
    reason TEXT NOT NULL, raw BLOB NOT NULL
);
"""


def test_a_store_file_of_the_old_layout_is_keyed_and_its_repeats_dropped(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_LAYOUT)
        rows = [
            ("2026-11-01T08:00:00.000000Z", "/var/log/app.log", "ecs-json", 0, "not JSON", b"{"),
            ("2026-11-01T09:00:00.000000Z", "/var/log/app.log", "ecs-json", 0, "not JSON", b"{"),
            ("2026-11-01T09:00:00.000000Z", "/var/log/app.log", "ecs-json", 5, "not JSON", b"["),
            ("2026-11-01T09:00:01.000000Z", "udp://10.0.0.5", "syslog", None, "bad", b"x"),
            ("2026-11-01T09:00:02.000000Z", "udp://10.0.0.5", "syslog", None, "bad", b"x"),
        ]
        conn.executemany(
            'INSERT INTO dead_letters (at, source, source_type, "offset", reason, raw)'
            " VALUES (?,?,?,?,?,?)",
            rows,
        )
    conn.close()
    store = SqliteEventStore(path)
    assert store.dead_letter_count() == 4
    assert [d.received_at.hour for d in store.dead_letters_from("/var/log/app.log")] == [9, 8]
    store.write_dead_letters([DeadLetter("/var/log/app.log", "not JSON", b"{", 0, "ecs-json")])
    assert store.dead_letter_count() == 4
    store.close()
    assert SqliteEventStore(path).dead_letter_count() == 4  # opening again changes nothing
