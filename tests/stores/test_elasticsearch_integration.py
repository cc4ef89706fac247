"""The Elasticsearch store against a real Elasticsearch 9 cluster (skipped without one).

Set ``SOC_TEST_ES_URL`` (e.g. https://localhost:9200), and as needed ``SOC_TEST_ES_API_KEY``,
``SOC_TEST_ES_CA`` (CA file) or ``SOC_TEST_ES_VERIFY=0``. deploy/README.md shows how to start
one with docker compose. Every run uses its own index prefix and removes what it created.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.base import DeadLetter
from soc.config import ElasticsearchSettings
from soc.ecs import Event, event_id
from soc.stores.base import EventQuery
from soc.stores.elasticsearch import ElasticsearchEventStore
from soc.stores.es_schema import IndexLayout

URL = os.environ.get("SOC_TEST_ES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="SOC_TEST_ES_URL is not set")


def make_event(n: int, day: int, dataset: str, ip: str) -> Event:
    return {
        "@timestamp": f"2026-11-{day:02d}T02:00:{n:02d}.000000Z",
        "event": {"id": event_id("it", f"{day}/{n}".encode()), "dataset": dataset, "kind": "event"},
        "source": {"ip": ip, "port": 40000 + n},
        "user": {"name": f"user{n % 3}"},
        "soc": {"zone": "datacenter", "security_level": 3},
        "winlog": {"event_data": {"TargetUserName": f"u{n}", "LogonType": 3}},
        "message": f"Failed password for user{n} from {ip}",
    }


@pytest.fixture
def store() -> Iterator[ElasticsearchEventStore]:
    settings = ElasticsearchSettings(
        hosts=[URL],
        api_key_env="SOC_TEST_ES_API_KEY",
        ca_certs=Path(os.environ["SOC_TEST_ES_CA"]) if os.environ.get("SOC_TEST_ES_CA") else None,
        verify_certs=os.environ.get("SOC_TEST_ES_VERIFY", "1") != "0",
        max_retries=2,
    )
    prefix = f"logs-soc-test{uuid.uuid4().hex[:8]}"  # inside the admin key's logs-soc-*
    layout = IndexLayout(prefix=prefix, retention_days=30, replicas=0)
    es_store = ElasticsearchEventStore(
        settings, layout=layout, allow_plaintext=URL.startswith("http://")
    )
    yield es_store
    client = es_store._client
    names = list(client.indices.get(index=f"{prefix}-*", ignore_unavailable=True).body)
    if names:  # by name: clusters refuse wildcard deletes (action.destructive_requires_name)
        client.indices.delete(index=",".join(names))
    for template in (layout.events_template, layout.dead_letter_index):
        client.indices.delete_index_template(name=template)
    client.ilm.delete_lifecycle(name=layout.policy_name)
    es_store.close()


def test_round_trip_write_twice_search_aggregate(store: ElasticsearchEventStore) -> None:
    batch = [
        make_event(n, 1 + n % 2, "linux.auth", "10.0.0.9" if n < 7 else "10.0.0.8")
        for n in range(10)
    ]
    first = store.write(batch)
    assert (first.ingested, first.duplicates) == (10, 0)
    fresh = make_event(20, 3, "cisco.asa", "10.0.0.7")
    again = store.write([*batch[:5], fresh])
    assert (again.ingested, again.duplicates) == (1, 5)
    assert again.duplicate_ids == {e["event"]["id"] for e in batch[:5]}
    store.refresh()

    assert store.count(EventQuery()) == 11
    assert store.count(EventQuery(dataset="linux.auth")) == 10
    since = datetime(2026, 11, 2, tzinfo=UTC)
    assert store.count(EventQuery(since=since)) == 6  # day 2 (5 events) and day 3 (1)
    assert store.count(EventQuery(terms={"source.ip": "10.0.0.0/24", "user.name": "user1"})) == 3
    assert store.count(EventQuery(terms={"winlog.event_data.TargetUserName": "u3"})) == 1
    assert store.count(EventQuery(text="failed user4")) == 1
    newest = store.search(EventQuery(limit=3))
    assert newest[0] == fresh
    assert [e["@timestamp"] for e in newest] == sorted(
        (e["@timestamp"] for e in newest), reverse=True
    )
    assert store.search(EventQuery(ids=(batch[3]["event"]["id"],))) == [batch[3]]
    assert store.oldest_timestamp(EventQuery()) == datetime(2026, 11, 1, 2, 0, 0, tzinfo=UTC)

    ips = store.aggregate("source.ip", EventQuery(dataset="linux.auth"))
    assert [(b.key, b.count) for b in ips] == [("10.0.0.9", 7), ("10.0.0.8", 3)]
    zones = store.aggregate("soc.security_level", EventQuery(), size=1)
    assert [(b.key, b.count) for b in zones] == [("3", 11)]


def test_daily_indices_are_under_the_retention_policy(store: ElasticsearchEventStore) -> None:
    store.write([make_event(1, 1, "linux.auth", "10.0.0.1")])
    store.ensure_setup()  # a second set-up changes nothing and does not fail
    index = f"{store.layout.prefix}-events-2026.11.01"
    explained = store._client.ilm.explain_lifecycle(index=index).body["indices"][index]
    assert explained["policy"] == store.layout.policy_name
    settings = store._client.indices.get_settings(index=index).body[index]["settings"]["index"]
    assert settings["lifecycle"]["parse_origination_date"] == "true"


def test_bad_documents_become_dead_letters_and_bad_values_are_kept(
    store: ElasticsearchEventStore,
) -> None:
    good = make_event(1, 1, "linux.auth", "10.0.0.1")
    odd_ip = make_event(2, 1, "linux.auth", "not-an-ip")  # ignore_malformed: stored anyway
    wrong_shape = make_event(3, 1, "linux.auth", "10.0.0.3")
    wrong_shape["source"] = "10.0.0.3"  # an object field given a plain value: unindexable
    result = store.write([good, odd_ip, wrong_shape])
    assert (result.ingested, result.duplicates) == (2, 0)
    store.write_dead_letters([DeadLetter("udp://10.1.2.3", "invalid UTF-8", b"\xff\xfe", 7)])
    store.refresh()
    assert store.count(EventQuery(text="user2")) == 1
    letters = store.dead_letters()
    assert store.dead_letter_count() == len(letters) == 2
    refused = next(d for d in letters if d.source == "store:elasticsearch")
    assert "source" in refused.reason and b'"source":"10.0.0.3"' in refused.raw
    raw = next(d for d in letters if d.source == "udp://10.1.2.3")
    assert (raw.raw, raw.offset) == (b"\xff\xfe", 7)
