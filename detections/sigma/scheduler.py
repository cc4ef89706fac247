"""Running scheduled rules over the embedded store, each from its own persisted checkpoint."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from detections.alert_store import AlertWriter, WriteSummary
from detections.alerts import draft_from_match, entities_of, event_time
from detections.base import Match
from detections.sigma.scheduled import (
    VIEW,
    ScheduledRule,
    connect,
    evidence_rowids,
    load_docs,
    view_sql,
)
from soc.ecs import format_timestamp, parse_timestamp
from soc.errors import DetectionError, StoreError
from soc.state.db import StateDB
from soc.state.models import Checkpoint

CHECKPOINT_PREFIX = "sigma.scheduled:"
MAX_EVIDENCE = 200


@dataclass
class RunSummary:
    rules: int = 0
    matches: int = 0
    scanned_to: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    alerts: WriteSummary = field(default_factory=WriteSummary)


class ScheduledRunner:
    """Each run scans (checkpoint, newest rowid] in bounded chunks, writes alerts, then moves
    the checkpoint; a crash in between repeats the chunk and the alert writer ignores events
    it already counted."""

    def __init__(
        self,
        events_path: Path,
        state: StateDB,
        rules: Sequence[ScheduledRule],
        writer: AlertWriter,
        *,
        chunk_rows: int = 100_000,
    ) -> None:
        self.events_path = events_path
        self.state = state
        self.rules = list(rules)
        self.writer = writer
        self.chunk_rows = chunk_rows

    def checkpoint(self, rule: ScheduledRule) -> int:
        with self.state.session() as s:
            row = s.get(Checkpoint, CHECKPOINT_PREFIX + rule.info.id)
            return int(json.loads(row.value).get("rowid", 0)) if row else 0

    def _save(self, rule: ScheduledRule, rowid: int) -> None:
        value = json.dumps({"rowid": rowid, "sql": rule.digest})
        with self.state.session() as s:
            row = s.get(Checkpoint, CHECKPOINT_PREFIX + rule.info.id)
            if row is None:
                s.add(Checkpoint(name=CHECKPOINT_PREFIX + rule.info.id, value=value))
            else:
                row.value = value

    def run_once(self) -> RunSummary:
        summary = RunSummary()
        if not self.events_path.is_file():
            return summary
        try:
            connection = connect(self.events_path)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the event store: {e}", source=self.events_path) from e
        try:
            newest = connection.execute(
                "SELECT COALESCE(MAX(rowid), 0) FROM main.events"
            ).fetchone()[0]
            summary.scanned_to = int(newest)
            for rule in self.rules:
                summary.rules += 1
                self._run_rule(connection, rule, int(newest), summary)
        finally:
            connection.close()
        return summary

    def _run_rule(
        self, connection: sqlite3.Connection, rule: ScheduledRule, newest: int, summary: RunSummary
    ) -> None:
        low = self.checkpoint(rule)
        while low < newest:
            high = min(newest, low + self.chunk_rows)
            try:
                matches = scan(connection, rule, low, high)
            except (sqlite3.Error, DetectionError) as e:
                summary.errors[rule.info.id] = str(e)
                return  # checkpoint stays: the next run retries this chunk
            summary.matches += len(matches)
            summary.alerts.add(self.writer.write([draft_from_match(m) for m in matches]))
            self._save(rule, high)
            low = high


def scan(connection: sqlite3.Connection, rule: ScheduledRule, low: int, high: int) -> list[Match]:
    """Matches of one rule among events with rowid in (low, high]."""
    since = None
    if rule.kind == "correlation":
        since = _since(connection, low, high, rule.lookback_seconds)
        if since is None:
            return []
    connection.execute(f"DROP VIEW IF EXISTS temp.{VIEW}")
    connection.execute(view_sql(rule, low, high, since))
    cursor = connection.execute(rule.sql)
    names = [d[0] for d in cursor.description or ()]
    rows = [dict(zip(names, values, strict=False)) for values in cursor.fetchall()]
    if rule.kind == "single":
        docs = load_docs(connection, [int(r["rowid"]) for r in rows])
        return [Match(rule.info, docs[int(r["rowid"])]) for r in rows if int(r["rowid"]) in docs]
    return _windows(connection, rule, rows, low)


def _since(connection: sqlite3.Connection, low: int, high: int, lookback: int) -> str | None:
    """Events newer than the checkpoint may complete windows that began before it."""
    first = connection.execute(
        "SELECT MIN(ts) FROM main.events WHERE rowid > ? AND rowid <= ?", (low, high)
    ).fetchone()[0]
    if first is None:
        return None
    return format_timestamp(parse_timestamp(first) - timedelta(seconds=lookback))


def _windows(
    connection: sqlite3.Connection, rule: ScheduledRule, rows: list[dict[str, Any]], low: int
) -> list[Match]:
    """One match per qualifying window that holds at least one event newer than the checkpoint
    (older windows were reported by an earlier run)."""
    out: list[Match] = []
    for row in rows:
        rowids = evidence_rowids(row.get("event_ids"))
        if not rowids or rowids[-1] <= low:
            continue
        docs = load_docs(connection, rowids[-MAX_EVIDENCE:])
        if not docs:
            continue
        ordered = [docs[r] for r in sorted(docs)]
        last = ordered[-1]
        ids = tuple(str((d.get("event") or {}).get("id")) for d in ordered)
        extra = {
            "first_seen": min(event_time(d) for d in ordered),
            "entities": shared_entities(ordered),
            "correlation": {
                "metric": row.get("metric_name"),
                "value": row.get("metric_value"),
                "group": _group(row.get("group_keys")),
            },
        }
        out.append(Match(rule.info, last, ids, extra))
    return out


def shared_entities(events: list[dict[str, Any]]) -> dict[str, str]:
    """The entities every event of a window has in common: a brute force from one address
    against many accounts is one alert about that address, not one per account."""
    shared = entities_of(events[0])
    for event in events[1:]:
        other = entities_of(event)
        shared = {k: v for k, v in shared.items() if other.get(k) == v}
    return shared


def _group(value: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
