"""EventQuery → Elasticsearch query DSL, and search/aggregation responses → events and buckets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from soc.ecs import Event, format_timestamp
from soc.errors import StoreError
from soc.stores.base import Bucket, EventQuery
from soc.stores.es_schema import TEXT_FIELDS

MAX_RESULT_WINDOW = 10_000  # index.max_result_window: deeper pages need search_after
MAX_BUCKETS = 10_000
MAX_IDS = 65_536  # index.max_terms_count
MAX_TEXT_CHARS = 4_096
_FIELD_NAME = re.compile(r"@?[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}")
_ANALYSED = frozenset(TEXT_FIELDS)


def check_field(name: str) -> str:
    """A dotted ECS field name, refused before it reaches the cluster if it is not one."""
    if not _FIELD_NAME.fullmatch(name) or ".." in name or name.endswith("."):
        raise StoreError(
            f"not a field name: {name!r}", hint="use a dotted ECS name such as source.ip"
        )
    return name


def _equals(name: str, value: str) -> dict[str, Any]:
    # message and error.* are analysed text: equality there means "contains this phrase".
    if check_field(name) in _ANALYSED:
        return {"match_phrase": {name: value}}
    return {"term": {name: value}}


def _time_range(query: EventQuery) -> dict[str, Any] | None:
    bounds: dict[str, str] = {}
    if query.since is not None:
        bounds["gte"] = format_timestamp(query.since)
    if query.until is not None:
        bounds["lt"] = format_timestamp(query.until)  # half-open, as the SQLite store
    return {"range": {"@timestamp": bounds}} if bounds else None


def _text(text: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT_CHARS:
        raise StoreError(
            f"search text of {len(text)} characters is too long",
            hint=f"search for at most {MAX_TEXT_CHARS} characters",
        )
    # Every indexed field (index.query.default_field is "*"); lenient so that a word does
    # not fail against ip or numeric fields. All words must match, as users expect.
    return {"simple_query_string": {"query": text, "default_operator": "and", "lenient": True}}


def query_dsl(query: EventQuery) -> dict[str, Any]:
    """The ``query`` clause selecting what ``query`` describes (filters are not scored)."""
    filters: list[dict[str, Any]] = []
    if query.dataset:
        filters.append({"term": {"event.dataset": query.dataset}})
    if query.kind:
        filters.append({"term": {"event.kind": query.kind}})
    time_range = _time_range(query)
    if time_range:
        filters.append(time_range)
    filters.extend(_equals(name, value) for name, value in sorted(query.terms.items()))
    if query.ids:
        if len(query.ids) > MAX_IDS:
            raise StoreError(f"{len(query.ids)} event ids in one query (at most {MAX_IDS})")
        filters.append({"ids": {"values": list(query.ids)}})
    if query.text:
        filters.append(_text(query.text))
    if not filters:
        return {"match_all": {}}
    return {"bool": {"filter": filters}}


def bounded(value: int, upper: int) -> int:
    return max(0, min(value, upper))


def sort_clause(ascending: bool) -> list[dict[str, Any]]:
    order = "asc" if ascending else "desc"
    # event.id breaks ties between events of the same instant: stable pages.
    return [{"@timestamp": {"order": order}}, {"event.id": {"order": order}}]


def search_request(query: EventQuery) -> dict[str, Any]:
    """Keyword arguments of ``Elasticsearch.search`` (without ``index``)."""
    return {
        "query": query_dsl(query),
        "sort": sort_clause(query.ascending),
        "size": bounded(query.limit, MAX_RESULT_WINDOW),
        "track_total_hits": False,
    }


def terms_request(field_name: str, query: EventQuery, size: int) -> dict[str, Any]:
    """Keyword arguments of ``Elasticsearch.search`` for the top values of one field."""
    return {
        "query": query_dsl(query),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "top": {
                "terms": {
                    "field": check_field(field_name),
                    "size": max(1, bounded(size, MAX_BUCKETS)),
                    # Same order as the SQLite store: count, then value.
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
        },
    }


def events_from(body: Mapping[str, Any]) -> list[Event]:
    hits = body.get("hits", {}).get("hits", [])
    return [dict(hit["_source"]) for hit in hits if isinstance(hit.get("_source"), dict)]


def buckets_from(body: Mapping[str, Any]) -> list[Bucket]:
    """Buckets of the ``top`` terms aggregation; ip, date and boolean keys use their text form."""
    raw = body.get("aggregations", {}).get("top", {}).get("buckets", [])
    return [
        Bucket(key=str(b.get("key_as_string", b["key"])), count=int(b["doc_count"])) for b in raw
    ]
