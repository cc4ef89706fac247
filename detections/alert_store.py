"""Writing alerts into the state database: grouping inside the window, suppressions, counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from detections.alerts import AlertDraft, merge_drafts
from detections.suppressions import active_suppressions, aware, suppressed_by
from soc.ecs import utc_now
from soc.state.db import StateDB
from soc.state.models import OPEN_ALERT_STATUSES, Alert

MAX_EVENT_IDS = 200  # an alert keeps the first ids it saw; ``count`` keeps counting
OPEN_STATUSES = OPEN_ALERT_STATUSES
_KEYS_PER_QUERY = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class WriteSummary:
    created: int = 0
    grouped: int = 0
    suppressed: int = 0

    def add(self, other: WriteSummary) -> None:
        self.created += other.created
        self.grouped += other.grouped
        self.suppressed += other.suppressed


class AlertWriter:
    """Turns drafts into ``Alert`` rows: one row per group key per window, with a count."""

    def __init__(
        self,
        db: StateDB,
        *,
        window_seconds: int = 3600,
        max_event_ids: int = MAX_EVENT_IDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.window = timedelta(seconds=window_seconds)
        self.max_event_ids = max_event_ids
        self.clock = clock

    def write(self, drafts: Sequence[AlertDraft]) -> WriteSummary:
        summary = WriteSummary()
        if not drafts:
            return summary
        with self.db.session() as session:
            suppressions = active_suppressions(session, self.clock())
            kept = []
            for draft in drafts:
                if suppressed_by(draft, suppressions):
                    summary.suppressed += 1
                else:
                    kept.append(draft)
            merged = merge_drafts(kept, int(self.window.total_seconds()))
            merged.sort(key=lambda d: d.first_seen)
            open_rows = self._open_alerts(session, {d.group_key for d in merged})
            for draft in merged:
                self._store(session, draft, summary, open_rows)
        return summary

    @staticmethod
    def _open_alerts(session: Session, keys: set[str]) -> dict[str, Alert]:
        """The newest open alert of each group key, read in a few queries for the batch."""
        newest: dict[str, Alert] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), _KEYS_PER_QUERY):
            chunk = ordered[start : start + _KEYS_PER_QUERY]
            rows = session.scalars(
                select(Alert)
                .where(Alert.group_key.in_(chunk))
                .where(Alert.status.in_(OPEN_STATUSES))
            )
            for row in rows:
                held = newest.get(row.group_key)
                if held is None or (aware(row.last_seen) or _EPOCH) > (
                    aware(held.last_seen) or _EPOCH
                ):
                    newest[row.group_key] = row
        return newest

    def _store(
        self,
        session: Session,
        draft: AlertDraft,
        summary: WriteSummary,
        open_rows: dict[str, Alert],
    ) -> None:
        row = open_rows.get(draft.group_key)
        last_seen = aware(row.last_seen) if row is not None else None
        if (
            row is not None
            and last_seen is not None
            and draft.first_seen - last_seen <= self.window
        ):
            self._group(row, draft)
            summary.grouped += 1
            return
        fresh = self._new_row(draft)
        session.add(fresh)
        open_rows[draft.group_key] = fresh  # a later run of the same key groups with this one
        summary.created += 1

    def _group(self, row: Alert, draft: AlertDraft) -> None:
        known = set(row.event_ids or [])
        fresh = [i for i in draft.event_ids if i not in known]
        if draft.event_ids and not fresh:
            return  # the same events again (a replay): nothing new to count
        row.count = (row.count or 0) + max(1, len(fresh))
        room = self.max_event_ids - len(row.event_ids or [])
        if room > 0 and fresh:
            row.event_ids = [*(row.event_ids or []), *fresh[:room]]
        row.last_seen = max(aware(row.last_seen) or draft.last_seen, draft.last_seen)
        row.first_seen = min(aware(row.first_seen) or draft.first_seen, draft.first_seen)
        row.severity = max(row.severity or 0, draft.severity)

    def _new_row(self, draft: AlertDraft) -> Alert:
        rule = draft.rule
        return Alert(
            group_key=draft.group_key,
            engine=draft.engine[:16],
            rule_id=rule.id[:128],
            rule_title=rule.title[:512],
            rule_level=rule.level,
            severity=draft.severity,
            status="new",
            tactics=list(rule.tactics),
            techniques=list(rule.techniques),
            entities={**draft.entities, **({"details": draft.details} if draft.details else {})},
            event_ids=list(draft.event_ids[: self.max_event_ids]),
            count=max(1, len(draft.event_ids)),
            first_seen=draft.first_seen,
            last_seen=draft.last_seen,
            system_id=draft.entities.get("system"),
            agency_id=draft.entities.get("agency"),
        )
