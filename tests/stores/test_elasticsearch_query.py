"""EventQuery → Elasticsearch query DSL, and responses → events and buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from soc.errors import StoreError
from soc.stores.base import Bucket, EventQuery
from soc.stores.es_query import (
    MAX_IDS,
    MAX_RESULT_WINDOW,
    MAX_TEXT_CHARS,
    buckets_from,
    check_field,
    events_from,
    query_dsl,
    search_request,
    terms_request,
)


def filters(query: EventQuery) -> list[dict[str, object]]:
    dsl = query_dsl(query)
    assert list(dsl) == ["bool"] and list(dsl["bool"]) == ["filter"]
    result: list[dict[str, object]] = dsl["bool"]["filter"]
    return result


def test_an_empty_query_matches_everything() -> None:
    assert query_dsl(EventQuery()) == {"match_all": {}}


def test_dataset_and_kind_are_exact_terms() -> None:
    assert filters(EventQuery(dataset="suricata.eve", kind="alert")) == [
        {"term": {"event.dataset": "suricata.eve"}},
        {"term": {"event.kind": "alert"}},
    ]


def test_time_window_is_half_open_in_utc() -> None:
    hanoi = timezone(timedelta(hours=7))
    query = EventQuery(
        since=datetime(2026, 11, 1, 7, 0, tzinfo=hanoi), until=datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert filters(query) == [
        {
            "range": {
                "@timestamp": {
                    "gte": "2026-11-01T00:00:00.000000Z",
                    "lt": "2026-11-02T00:00:00.000000Z",
                }
            }
        }
    ]
    only_since = filters(EventQuery(since=datetime(2026, 11, 1, tzinfo=UTC)))
    assert only_since == [{"range": {"@timestamp": {"gte": "2026-11-01T00:00:00.000000Z"}}}]


def test_terms_are_exact_except_on_analysed_text() -> None:
    query = EventQuery(
        terms={"user.name": "admin", "source.ip": "10.0.0.0/8", "message": "Failed password"}
    )
    assert filters(query) == [  # sorted by field name: the same query compiles the same way
        {"match_phrase": {"message": "Failed password"}},
        {"term": {"source.ip": "10.0.0.0/8"}},
        {"term": {"user.name": "admin"}},
    ]


def test_ids_select_documents_by_event_id() -> None:
    assert filters(EventQuery(ids=("a", "b"))) == [{"ids": {"values": ["a", "b"]}}]
    with pytest.raises(StoreError, match="event ids"):
        query_dsl(EventQuery(ids=tuple(str(i) for i in range(MAX_IDS + 1))))


def test_text_must_match_every_word_somewhere() -> None:
    assert filters(EventQuery(text="failed root")) == [
        {
            "simple_query_string": {
                "query": "failed root",
                "default_operator": "and",
                "lenient": True,
            }
        }
    ]
    with pytest.raises(StoreError, match="too long"):
        query_dsl(EventQuery(text="x" * (MAX_TEXT_CHARS + 1)))


def test_every_filter_together() -> None:
    query = EventQuery(
        dataset="linux.auth",
        kind="event",
        since=datetime(2026, 11, 1, tzinfo=UTC),
        terms={"host.name": "web01"},
        ids=("x",),
        text="sshd",
    )
    kinds = [next(iter(f)) for f in filters(query)]
    assert kinds == ["term", "term", "range", "term", "ids", "simple_query_string"]


def test_search_sorts_by_time_and_bounds_the_size() -> None:
    newest = search_request(EventQuery(limit=50))
    assert newest["sort"] == [{"@timestamp": {"order": "desc"}}, {"event.id": {"order": "desc"}}]
    assert newest["size"] == 50 and newest["track_total_hits"] is False
    oldest = search_request(EventQuery(ascending=True))
    assert oldest["sort"][0] == {"@timestamp": {"order": "asc"}}
    assert search_request(EventQuery(limit=10**6))["size"] == MAX_RESULT_WINDOW
    assert search_request(EventQuery(limit=-3))["size"] == 0


def test_terms_aggregation_request() -> None:
    request = terms_request("source.ip", EventQuery(dataset="cisco.asa"), 5)
    assert request["size"] == 0
    assert request["query"] == query_dsl(EventQuery(dataset="cisco.asa"))
    assert request["aggs"]["top"]["terms"] == {
        "field": "source.ip",
        "size": 5,
        "order": [{"_count": "desc"}, {"_key": "asc"}],
    }
    assert terms_request("source.ip", EventQuery(), 10**9)["aggs"]["top"]["terms"]["size"] == (
        10_000
    )
    assert terms_request("source.ip", EventQuery(), 0)["aggs"]["top"]["terms"]["size"] == 1


@pytest.mark.parametrize("name", ["@timestamp", "winlog.event_data.TargetUserName", "soc.zone"])
def test_field_names_accepted(name: str) -> None:
    assert check_field(name) == name


@pytest.mark.parametrize("name", ["", "a b", "x..y", "host.", "*", "a:b", "user.name\n", ".a"])
def test_field_names_refused(name: str) -> None:
    with pytest.raises(StoreError, match="not a field name"):
        check_field(name)
    with pytest.raises(StoreError):
        query_dsl(EventQuery(terms={name: "x"}))


def test_buckets_use_the_text_form_of_ip_date_and_boolean_keys() -> None:
    body = {
        "aggregations": {
            "top": {
                "buckets": [
                    {"key": "admin", "doc_count": 9},
                    {"key": 443, "doc_count": 4},
                    {"key": 1, "key_as_string": "true", "doc_count": 2},
                    {"key": 167772161, "key_as_string": "10.0.0.1", "doc_count": 1},
                ]
            }
        }
    }
    assert buckets_from(body) == [
        Bucket("admin", 9),
        Bucket("443", 4),
        Bucket("true", 2),
        Bucket("10.0.0.1", 1),
    ]
    assert buckets_from({"aggregations": {"top": {"buckets": []}}}) == []
    assert buckets_from({}) == []


def test_events_are_the_stored_sources() -> None:
    event = {"@timestamp": "2026-11-01T00:00:00Z", "event": {"id": "a"}}
    body = {"hits": {"hits": [{"_id": "a", "_source": event}, {"_id": "b"}]}}
    assert events_from(body) == [event]  # a hit without _source (filtered out) is skipped
    assert events_from({"hits": {"hits": []}}) == []
