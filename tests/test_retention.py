"""Retention: the cutoff follows the active backend; the purge job removes what is older."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from soc.config import Settings
from soc.ecs import event_id, format_timestamp
from soc.retention import purge_expired, retention_cutoff, retention_job
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def settings(**store: object) -> Settings:
    return Settings.model_validate({"store": store})


def test_cutoff_uses_the_active_backend_days() -> None:
    assert retention_cutoff(settings(retention_days=30), NOW) == NOW - timedelta(days=30)
    es = settings(backend="elasticsearch", retention_days=30, elasticsearch={"retention_days": 90})
    assert retention_cutoff(es, NOW) == NOW - timedelta(days=90)


def test_purge_expired_keeps_what_is_within_the_retention(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "e.db")
    ages = [400, 200, 31, 29, 1]
    store.write(
        [
            {
                "@timestamp": format_timestamp(NOW - timedelta(days=age)),
                "event": {"id": event_id("t", str(age).encode()), "dataset": "x"},
            }
            for age in ages
        ]
    )
    assert purge_expired(settings(retention_days=30), store, NOW) == 3
    held = store.search(EventQuery(limit=10, ascending=True))
    assert [e["@timestamp"][:10] for e in held] == ["2026-10-25", "2026-11-22"]
    job = retention_job(settings(retention_days=30), store)
    assert job.name == "retention" and job.interval_seconds == 3600
    assert job.run() == 0
