"""Event stores: one interface (base.py), an embedded SQLite and an Elasticsearch implementation."""

from __future__ import annotations

from soc.config import Settings
from soc.stores.base import EventStore


def open_event_store(settings: Settings) -> EventStore:
    """The event store the configuration selects (a switch, never a fork of the code)."""
    if settings.store.backend == "elasticsearch":
        from soc.stores.elasticsearch import ElasticsearchEventStore

        return ElasticsearchEventStore(settings.store.elasticsearch)
    from soc.stores.sqlite import SqliteEventStore

    return SqliteEventStore(settings.events_path)
