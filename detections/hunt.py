"""Offline hunting (``soc detect``): rules over files parsed by the collectors, or over the
event store, one JSON object (or table row) per match."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from collectors.base import DeadLetter
from detections.base import Match
from detections.sigma.engine import SigmaEngine
from detections.sigma.scheduled import ScheduledRule, connect
from detections.sigma.scheduler import scan
from soc.ecs import Event, get_field
from soc.pipeline import Pipeline
from soc.stores.base import Bucket, EventQuery, EventStore, WriteResult
from soc.stores.sqlite import SqliteEventStore

EVENT_FIELDS = (
    "@timestamp",
    "event.id",
    "event.dataset",
    "log.file.path",
    "winlog.record_id",
    "winlog.event_id",
    "winlog.channel",
    "host.name",
    "source.ip",
    "user.name",
)
SCAN_CHUNK = 2000


def match_record(match: Match, full: bool = False) -> dict[str, Any]:
    """The JSON object printed for a match: the rule and the event (or its key fields)."""
    event: dict[str, Any] = match.event if full else {}
    if not full:
        for name in EVENT_FIELDS:
            value = get_field(match.event, name)
            if value is not None:
                event[name] = value
    record: dict[str, Any] = {
        "rule": {
            "id": match.rule.id,
            "title": match.rule.title,
            "level": match.rule.level,
            "tags": list(match.rule.tags),
        },
        "event": event,
    }
    if match.event_ids and len(match.event_ids) > 1:
        record["event_ids"] = list(match.event_ids)
    return record


class MatchPrinter:
    """Writes matches as JSON lines or as an aligned table; counts them per rule."""

    def __init__(self, fmt: str, out: TextIO | None = None, full: bool = False) -> None:
        self.fmt, self.out, self.full = fmt, out or sys.stdout, full
        self.count = 0
        self.by_rule: dict[str, int] = {}

    def __call__(self, match: Match) -> None:
        self.count += 1
        self.by_rule[match.rule.title] = self.by_rule.get(match.rule.title, 0) + 1
        if self.fmt == "jsonl":
            line = json.dumps(match_record(match, self.full), ensure_ascii=False, default=str)
            self.out.write(line + "\n")
            return
        ev = match.event
        where = get_field(ev, "log.file.path") or get_field(ev, "event.dataset") or ""
        record = get_field(ev, "winlog.record_id")
        self.out.write(
            f"{str(ev.get('@timestamp', ''))[:19]:<19}  {match.rule.level:<13} "
            f"{match.rule.title[:60]:<60}  {Path(str(where)).name}"
            f"{'#' + str(record) if record is not None else ''}\n"
        )


class HuntStore(EventStore):
    """Where ``soc detect --input`` sends parsed events: a temporary SQLite file when
    correlations must run over them afterwards, else nowhere (ids kept to drop replays)."""

    NAME = "hunt"

    def __init__(self, keep: Path | None = None) -> None:
        self.sqlite = SqliteEventStore(keep) if keep is not None else None
        self.seen: set[str] = set()
        self.rejected = 0

    def write(self, events: Sequence[Event]) -> WriteResult:
        if self.sqlite is not None:
            return self.sqlite.write(events)
        dup = {str(e["event"]["id"]) for e in events if str(e["event"]["id"]) in self.seen}
        self.seen.update(str(e["event"]["id"]) for e in events)
        return WriteResult(len(events) - len(dup), len(dup), frozenset(dup))

    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        self.rejected += len(letters)

    def search(self, query: EventQuery) -> list[Event]:
        return []

    def count(self, query: EventQuery) -> int:
        return 0

    def aggregate(self, field_name: str, query: EventQuery, size: int = 10) -> list[Bucket]:
        return []

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return []

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()


class _EngineObserver:
    def __init__(self, engine: SigmaEngine, emit: Callable[[Match], None]) -> None:
        self.engine, self.emit = engine, emit

    def committed(self, events: Sequence[Event]) -> None:
        for match in self.engine.match(events):
            self.emit(match)


def hunt_files(
    paths: Sequence[Path],
    source_type: Any,
    engine: SigmaEngine,
    correlations: Sequence[ScheduledRule],
    emit: Callable[[Match], None],
) -> HuntStore:
    """Parse the files with the collectors, match each batch, then run correlations (if any)."""
    from collectors.ingest import ingest_files

    with tempfile.TemporaryDirectory(prefix="soc-hunt-") as tmp:
        store = HuntStore(Path(tmp) / "events.db" if correlations else None)
        pipeline = Pipeline(store, batch_size=2000, observers=[_EngineObserver(engine, emit)])
        try:
            ingest_files(list(paths), source_type, pipeline)
            if store.sqlite is not None:
                run_correlations(Path(tmp) / "events.db", correlations, emit)
        finally:
            store.close()
    return store


def run_correlations(
    events_path: Path, rules: Sequence[ScheduledRule], emit: Callable[[Match], None]
) -> None:
    connection = connect(events_path)
    try:
        newest = connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM main.events").fetchone()[0]
        for rule in rules:
            for match in scan(connection, rule, 0, int(newest)):
                emit(match)
    finally:
        connection.close()


def stored_events(events_path: Path, dataset: str | None = None) -> Iterator[list[Event]]:
    """Every event of the embedded store in insertion order, in chunks (read-only)."""
    connection = connect(events_path)
    try:
        last = 0
        while True:
            sql = "SELECT rowid, doc FROM main.events WHERE rowid > ?"
            args: list[Any] = [last]
            if dataset:
                sql += " AND dataset = ?"
                args.append(dataset)
            rows = connection.execute(
                sql + " ORDER BY rowid LIMIT ?", [*args, SCAN_CHUNK]
            ).fetchall()
            if not rows:
                return
            last = int(rows[-1][0])
            yield [json.loads(doc) for _, doc in rows]
    except sqlite3.Error as e:
        from soc.errors import StoreError

        raise StoreError(f"cannot read the event store: {e}", source=events_path) from e
    finally:
        connection.close()
