"""The overview: alert counts by level, status and engine, event volume, top sources, a timeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from soc.state.models import Alert
from soc.stores.base import Bucket, EventQuery, EventStore
from soc_dashboard.views.alerts import OPEN_STATUSES
from soc_dashboard.views.common import Outcome, as_utc, guarded, window_start

TOP_DATASETS = 15
TOP_SOURCES = 10
RECENT_ALERTS = 8
MAX_TIMELINE_ROWS = 20_000
MAX_BUCKETS = 800


@dataclass(frozen=True, slots=True)
class OverviewData:
    window: str
    new_alerts: int
    open_high: int
    alerts_in_window: int
    by_level: dict[str, int]
    by_status: dict[str, int]
    by_engine: dict[str, int]
    timeline: list[tuple[datetime, int]]
    recent: list[Alert]
    events_in_window: Outcome[int | None]
    datasets: Outcome[list[Bucket]]
    top_sources: Outcome[list[Bucket]]


def _since_clause(since: datetime | None) -> list[ColumnElement[bool]]:
    return [Alert.last_seen >= since] if since is not None else []


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Alert).where(*where)) or 0)


def _grouped(
    session: Session, column: InstrumentedAttribute[str], since: datetime | None
) -> dict[str, int]:
    query = select(column, func.count()).where(*_since_clause(since)).group_by(column)
    return {str(key): int(n) for key, n in session.execute(query)}


def _floor(moment: datetime, tz: ZoneInfo, step: timedelta) -> datetime:
    local = moment.astimezone(tz)
    if step >= timedelta(days=1):
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.replace(minute=0, second=0, microsecond=0)


def bucket_times(
    times: list[datetime], start: datetime | None, now: datetime, tz: ZoneInfo
) -> list[tuple[datetime, int]]:
    """Counts per local hour (windows up to two days) or per local day, zeros included."""
    if not times and start is None:
        return []
    first = start or min(times)
    step = timedelta(hours=1) if now - first <= timedelta(days=2) else timedelta(days=1)
    counts = Counter(_floor(t, tz, step) for t in times)
    slots: list[tuple[datetime, int]] = []
    cursor = _floor(first, tz, step)
    end = _floor(now, tz, step)
    while cursor <= end and len(slots) < MAX_BUCKETS:
        slots.append((cursor, counts.get(cursor, 0)))
        # Step in UTC then re-floor locally: correct across any DST change of other zones.
        cursor = _floor(cursor + step + timedelta(minutes=1), tz, step)
    return slots


def _timeline(
    session: Session, since: datetime | None, now: datetime, tz: ZoneInfo
) -> list[tuple[datetime, int]]:
    query = select(Alert.first_seen).order_by(Alert.first_seen.desc()).limit(MAX_TIMELINE_ROWS)
    if since is not None:
        query = query.where(Alert.first_seen >= since)
    times = [as_utc(t) for t in session.scalars(query)]
    return bucket_times(times, since, now, tz)


def overview_data(
    session: Session, store: EventStore, window: str, now: datetime, tz: ZoneInfo
) -> OverviewData:
    since = window_start(window, now)
    no: list[Bucket] = []
    in_window = EventQuery(since=since, limit=1)
    recent = select(Alert).where(Alert.status.in_(OPEN_STATUSES))
    recent = recent.order_by(Alert.severity.desc(), Alert.last_seen.desc()).limit(RECENT_ALERTS)
    return OverviewData(
        window=window,
        new_alerts=_count(session, Alert.status == "new"),
        open_high=_count(
            session, Alert.status.in_(OPEN_STATUSES), Alert.rule_level.in_(("high", "critical"))
        ),
        alerts_in_window=_count(session, *_since_clause(since)),
        by_level=_grouped(session, Alert.rule_level, since),
        by_status=_grouped(session, Alert.status, since),
        by_engine=_grouped(session, Alert.engine, since),
        timeline=_timeline(session, since, now, tz),
        recent=list(session.scalars(recent)),
        events_in_window=guarded(lambda: store.count(in_window), cast(int | None, None)),
        datasets=guarded(lambda: store.aggregate("event.dataset", in_window, TOP_DATASETS), no),
        top_sources=guarded(lambda: store.aggregate("source.ip", in_window, TOP_SOURCES), no),
    )
