"""Retention of the event store: what is older than the configured days is purged.

The embedded store purges itself here (hourly in ``soc up``, or ``soc store purge``);
Elasticsearch expires its daily indices through ILM, so the purge is a no-op there.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from soc.config import Settings
from soc.ecs import utc_now
from soc.scheduler import Job
from soc.stores.base import EventStore

log = logging.getLogger(__name__)

RETENTION_SECONDS = 3600.0


def retention_cutoff(settings: Settings, now: datetime | None = None) -> datetime:
    return (now or utc_now()) - timedelta(days=settings.store.active_retention_days())


def purge_expired(settings: Settings, store: EventStore, now: datetime | None = None) -> int:
    cutoff = retention_cutoff(settings, now)
    removed = store.purge_before(cutoff)
    if removed:
        log.info("retention: %d events before %s purged", removed, cutoff.isoformat())
    return removed


def retention_job(settings: Settings, store: EventStore) -> Job:
    return Job("retention", RETENTION_SECONDS, lambda: purge_expired(settings, store))
