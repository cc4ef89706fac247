"""Event search: a bounded store query from the form, table rows and a JSON view of one event."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from soc.ecs import Event, get_field
from soc.stores.base import EventQuery, EventStore
from soc_dashboard.i18n import format_time
from soc_dashboard.views.common import clamp, event_time, text_of, window_start

LIMIT_CHOICES = (50, 100, 500, 1000)
DEFAULT_LIMIT = 100
MAX_TEXT = 200
MAX_JSON_CHARS = 65_536
DATASET_CHOICES = 50
# The first of these present is the one-line summary of an event.
SUMMARY_FIELDS = ("message", "rule.name", "event.action", "url.original", "dns.question.name")


def build_query(dataset: Any, window: Any, text: Any, limit: Any, now: datetime) -> EventQuery:
    """An ``EventQuery`` from raw form values; every value is checked and bounded."""
    return EventQuery(
        dataset=dataset[:128] if isinstance(dataset, str) and dataset else None,
        since=window_start(window if isinstance(window, str) else None, now),
        text=(text.strip()[:MAX_TEXT] or None) if isinstance(text, str) else None,
        limit=clamp(limit, 1, LIMIT_CHOICES[-1], DEFAULT_LIMIT),
    )


def dataset_choices(store: EventStore, since: datetime | None) -> list[str]:
    buckets = store.aggregate("event.dataset", EventQuery(since=since, limit=1), DATASET_CHOICES)
    return sorted(b.key for b in buckets if b.key)


def event_summary(event: Event) -> str:
    for name in SUMMARY_FIELDS:
        value = get_field(event, name)
        if value:
            return text_of(value, 160)
    return ""


def event_row(event: Event, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": text_of(get_field(event, "event.id"), 64),
        "time": format_time(event_time(event), tz, lang),
        "dataset": text_of(get_field(event, "event.dataset"), 64),
        "source_ip": text_of(get_field(event, "source.ip"), 64),
        "destination_ip": text_of(get_field(event, "destination.ip"), 64),
        "host": text_of(get_field(event, "host.name"), 64),
        "user": text_of(get_field(event, "user.name"), 64),
        "summary": event_summary(event),
    }


def event_rows(events: list[Event], lang: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [event_row(e, lang, tz) for e in events]


def event_json(event: Event) -> str:
    """Pretty JSON of the whole event, cut at ``MAX_JSON_CHARS`` (raw payloads can be large)."""
    text = orjson.dumps(
        event, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str
    ).decode()
    return text if len(text) <= MAX_JSON_CHARS else text[:MAX_JSON_CHARS] + "\n…"
