"""The Elasticsearch event store against a scripted cluster behind the official client's own
transport (a custom node class): requests are encoded, sent and decoded by the real client."""

from __future__ import annotations

import base64
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import Mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from elastic_transport import (
    ApiResponseMeta,
    BaseNode,
    ConnectionTimeout,
    HttpHeaders,
)
from elastic_transport import (
    ConnectionError as NodeUnreachable,
)
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

from collectors.base import DeadLetter
from soc.config import ElasticsearchSettings
from soc.ecs import Event, event_id
from soc.errors import ConfigError, StoreError, StoreUnavailable
from soc.stores import es_setup
from soc.stores.base import Bucket, EventQuery
from soc.stores.elasticsearch import ElasticsearchEventStore, PartialWriteError
from soc.stores.es_bulk import Backoff
from soc.stores.es_client import build_client
from soc.stores.es_query import query_dsl, search_request
from soc.stores.es_schema import IndexLayout

Reply = tuple[int, Any]


@dataclass
class Sent:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: Any  # decoded JSON, or a list of decoded NDJSON lines for _bulk


def error(kind: str, reason: str = "", status: int = 400, **extra: Any) -> Reply:
    return status, {"error": {"type": kind, "reason": reason, **extra}, "status": status}


@dataclass
class FakeCluster:
    """Holds documents per index; ``create`` answers 409 for an id the index already holds.

    ``script[endpoint]`` replies (or exceptions) are used before the default behaviour;
    ``item_faults[id]`` makes one bulk item fail (status, error type) for its next attempts.
    """

    docs: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    policies: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, Any] = field(default_factory=dict)
    indices: set[str] = field(default_factory=set)
    requests: list[Sent] = field(default_factory=list)
    script: dict[str, list[Reply | Exception]] = field(default_factory=lambda: defaultdict(list))
    item_faults: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    search_reply: dict[str, Any] | None = None

    def client(self, settings: ElasticsearchSettings | None = None, **env: str) -> Elasticsearch:
        cluster = self

        class Node(BaseNode):
            def perform_request(
                self,
                method: str,
                target: str,
                body: bytes | None = None,
                headers: Any = None,
                request_timeout: Any = None,
            ) -> NodeApiResponse:
                status, reply = cluster.answer(method, target, body, dict(headers or {}))
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    headers=HttpHeaders(
                        {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
                    ),
                    duration=0.0,
                    node=self.config,
                )
                return NodeApiResponse(meta, json.dumps(reply).encode())

        settings = settings or ElasticsearchSettings(hosts=["https://es.test:9200"])
        return build_client(settings, environ=env, client_options={"node_class": Node})

    def sent(self, endpoint: str) -> list[Sent]:
        return [r for r in self.requests if endpoint_of(r.method, r.path) == endpoint]

    def answer(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> Reply:
        url = urlsplit(target)
        path = url.path
        decoded: Any = None
        if body:
            text = body.decode()
            if path.endswith("/_bulk"):
                decoded = [json.loads(line) for line in text.splitlines() if line]
            else:
                decoded = json.loads(text)
        self.requests.append(Sent(method, path, dict(parse_qsl(url.query)), headers, decoded))
        endpoint = endpoint_of(method, path)
        if self.script[endpoint]:
            scripted = self.script[endpoint].pop(0)
            if isinstance(scripted, Exception):
                raise scripted
            return scripted
        handler: Callable[[str, Any], Reply] = getattr(self, f"_{endpoint}")
        return handler(path, decoded)

    # -- default behaviour -----------------------------------------------------------------

    def _bulk(self, path: str, lines: list[Any]) -> Reply:
        items = []
        for action, doc in zip(lines[::2], lines[1::2], strict=True):
            meta = action["create"]
            index, doc_id = meta["_index"], meta["_id"]
            faults = self.item_faults.get(doc_id)
            if faults:
                status, kind = faults.pop(0)
                items.append(
                    {
                        "create": {
                            "_index": index,
                            "_id": doc_id,
                            "status": status,
                            "error": {"type": kind, "reason": f"{kind} here"},
                        }
                    }
                )
            elif doc_id in self.docs[index]:
                items.append(
                    {
                        "create": {
                            "_index": index,
                            "_id": doc_id,
                            "status": 409,
                            "error": {
                                "type": "version_conflict_engine_exception",
                                "reason": f"[{doc_id}]: version conflict, document already exists",
                            },
                        }
                    }
                )
            else:
                self.docs[index][doc_id] = doc
                items.append(
                    {"create": {"_index": index, "_id": doc_id, "status": 201, "result": "created"}}
                )
        errors = any(i["create"]["status"] >= 300 for i in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    def _get_policy(self, path: str, body: Any) -> Reply:
        name = path.rsplit("/", 1)[-1]
        if name not in self.policies:
            return error("resource_not_found_exception", f"Lifecycle policy not found: {name}", 404)
        return 200, {name: {"version": 1, "policy": self.policies[name]}}

    def _put_policy(self, path: str, body: Any) -> Reply:
        self.policies[path.rsplit("/", 1)[-1]] = body["policy"]
        return 200, {"acknowledged": True}

    def _get_template(self, path: str, body: Any) -> Reply:
        name = path.rsplit("/", 1)[-1]
        if name not in self.templates:
            return error(
                "resource_not_found_exception", f"index template matching [{name}] not found", 404
            )
        return 200, {"index_templates": [{"name": name, "index_template": self.templates[name]}]}

    def _put_template(self, path: str, body: Any) -> Reply:
        self.templates[path.rsplit("/", 1)[-1]] = body
        return 200, {"acknowledged": True}

    def _create_index(self, path: str, body: Any) -> Reply:
        name = path.strip("/")
        if name in self.indices:
            return error("resource_already_exists_exception", f"index [{name}] already exists")
        self.indices.add(name)
        return 200, {"acknowledged": True, "index": name}

    def _search(self, path: str, body: Any) -> Reply:
        if self.search_reply is not None:
            return 200, self.search_reply
        index = path.strip("/").split("/")[0]  # an exact index: everything it holds, newest first
        docs = sorted(
            self.docs.get(index, {}).values(), key=lambda d: d["@timestamp"], reverse=True
        )
        hits = [{"_index": index, "_source": d} for d in docs[: body.get("size", 10)]]
        return 200, {"hits": {"hits": hits}}

    def _count(self, path: str, body: Any) -> Reply:
        index = path.strip("/").split("/")[0]
        return 200, {"count": len(self.docs.get(index, {}))}

    def _refresh(self, path: str, body: Any) -> Reply:
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}


def endpoint_of(method: str, path: str) -> str:
    if path.endswith("/_bulk"):
        return "bulk"
    if path.startswith("/_ilm/policy/"):
        return "get_policy" if method == "GET" else "put_policy"
    if path.startswith("/_index_template/"):
        return "get_template" if method == "GET" else "put_template"
    for suffix in ("_search", "_count", "_refresh"):
        if path.endswith(f"/{suffix}"):
            return suffix.lstrip("_")
    if method == "PUT" and path.count("/") == 1:
        return "create_index"
    return "unknown"


# ---------------------------------------------------------------------------------------------
# The store against the fake cluster
# ---------------------------------------------------------------------------------------------

API_KEY = "c2VjcmV0LWlkOnNlY3JldC1rZXktZG8tbm90LWxvZw=="


def make_event(n: int, day: int = 1, dataset: str = "linux.auth") -> Event:
    return {
        "@timestamp": f"2026-11-{day:02d}T00:00:{n:02d}.000000Z",
        "event": {"id": event_id("test", str(n).encode()), "dataset": dataset, "kind": "event"},
        "source": {"ip": "10.0.0.1", "port": 22},
        "message": f"Failed password for user{n}",
    }


class Pauses:
    """Records the pauses instead of sleeping; jitter 1.0 makes each pause its ceiling."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def backoff(self, retries: int = 3) -> Backoff:
        return Backoff(retries=retries, sleep=self.slept.append, jitter=lambda: 1.0)


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


def open_store(cluster: FakeCluster, pauses: Pauses, retries: int = 3) -> ElasticsearchEventStore:
    settings = ElasticsearchSettings(hosts=["https://es.test:9200"], max_retries=retries)
    client = cluster.client(settings, SOC_ES_API_KEY=API_KEY)
    return ElasticsearchEventStore(settings, client, backoff=pauses.backoff(retries))


def test_setup_installs_policy_templates_and_dead_letter_index_once(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    store.ensure_setup()
    assert set(cluster.policies) == {"logs-soc-events"}
    assert set(cluster.templates) == {"logs-soc-events", "logs-soc-deadletter"}
    assert cluster.indices == {"logs-soc-deadletter"}
    events_template = cluster.templates["logs-soc-events"]
    assert events_template["index_patterns"] == ["logs-soc-events-*"]
    assert events_template["priority"] > 500
    settings = events_template["template"]["settings"]
    assert settings["index.lifecycle.name"] == "logs-soc-events"
    puts = len(cluster.sent("put_policy")) + len(cluster.sent("put_template"))
    assert puts == 3

    store.ensure_setup()  # idempotent: nothing is replaced, the existing index is fine
    assert len(cluster.sent("put_policy")) + len(cluster.sent("put_template")) == puts


def test_setup_replaces_a_policy_with_another_retention(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    open_store(cluster, pauses).ensure_setup()
    settings = ElasticsearchSettings(hosts=["https://es.test:9200"])
    longer = ElasticsearchEventStore(
        settings,
        cluster.client(settings),
        layout=IndexLayout(retention_days=730),
        backoff=pauses.backoff(),
    )
    longer.ensure_setup()
    assert cluster.policies["logs-soc-events"]["phases"]["delete"]["min_age"] == "731d"


def test_write_creates_events_under_their_ids_in_daily_indices(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    events = [make_event(1, day=1), make_event(2, day=2)]
    result = store.write(events)
    assert (result.ingested, result.duplicates, result.duplicate_ids) == (2, 0, frozenset())
    (bulk,) = cluster.sent("bulk")
    actions, docs = bulk.body[::2], bulk.body[1::2]
    assert actions == [
        {"create": {"_index": "logs-soc-events-2026.11.01", "_id": events[0]["event"]["id"]}},
        {"create": {"_index": "logs-soc-events-2026.11.02", "_id": events[1]["event"]["id"]}},
    ]
    assert docs == events
    assert bulk.headers["authorization"] == f"ApiKey {API_KEY}"


def test_writing_the_same_events_again_counts_duplicates(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    batch = [make_event(i) for i in range(5)]
    store.write(batch)
    again = store.write([*batch[:3], make_event(9), make_event(9)])
    assert (again.ingested, again.duplicates) == (1, 4)
    assert again.duplicate_ids == {e["event"]["id"] for e in batch[:3]}
    # the repeat inside the batch was sent once
    assert len(cluster.sent("bulk")[-1].body) == 2 * 4


def test_mapping_errors_go_to_dead_letters_with_the_reason(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    good, bad = make_event(1), make_event(2)
    cluster.item_faults[bad["event"]["id"]] = [(400, "document_parsing_exception")]
    result = store.write([good, bad])
    assert (result.ingested, result.duplicates) == (1, 0)
    (letter,) = store.dead_letters()
    assert "document_parsing_exception" in letter.reason
    assert json.loads(letter.raw) == bad  # the whole event is kept, never lost
    assert letter.source_type == "linux.auth"


def test_events_without_id_or_timestamp_become_dead_letters_unsent(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    no_id = {"@timestamp": "2026-11-01T00:00:00Z", "event": {"dataset": "x"}}
    no_time = {"event": {"id": "abc", "dataset": "x"}}
    result = store.write([no_id, no_time, make_event(1)])
    assert result.ingested == 1
    assert len(cluster.sent("bulk")[0].body) == 2  # only the good event went to the events
    reasons = sorted(d.reason for d in store.dead_letters())
    assert "event.id" in reasons[0] and "@timestamp" in reasons[1]


def test_busy_items_are_sent_again_after_a_pause(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses)
    busy = make_event(2)
    cluster.item_faults[busy["event"]["id"]] = [(429, "es_rejected_execution_exception")] * 2
    result = store.write([make_event(1), busy])
    assert result.ingested == 2
    bulks = cluster.sent("bulk")
    assert [len(b.body) // 2 for b in bulks] == [2, 1, 1]  # only the busy event is re-sent
    assert pauses.slept == [0.5, 1.0]


def test_connection_errors_are_retried_with_backoff(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses)
    store.ensure_setup()
    cluster.script["bulk"] = [NodeUnreachable("refused"), ConnectionTimeout("slow")]
    result = store.write([make_event(1)])
    assert result.ingested == 1
    assert pauses.slept == [0.5, 1.0]


def test_store_unavailable_after_the_last_retry(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses, retries=2)
    store.ensure_setup()
    cluster.script["bulk"] = [error("unavailable_shards_exception", "", 503)] * 3
    with pytest.raises(StoreUnavailable, match="3 attempts"):
        store.write([make_event(1)])
    assert pauses.slept == [0.5, 1.0]
    assert len(cluster.sent("bulk")) == 3


def test_backoff_is_capped(pauses: Pauses) -> None:
    backoff = Backoff(retries=10, base=0.5, cap=4.0, sleep=pauses.slept.append, jitter=lambda: 1)
    for attempt in range(6):
        backoff.pause(attempt)
    assert pauses.slept == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    calm = Backoff(base=1.0, jitter=lambda: 0.0)
    assert calm.delay(2) == 2.0  # jitter only ever shortens a pause to half its ceiling


def test_a_refused_key_is_not_retried_and_not_revealed(
    cluster: FakeCluster, pauses: Pauses, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = open_store(cluster, pauses)
    store.ensure_setup()
    cluster.script["bulk"] = [error("security_exception", "unable to authenticate", 401)]
    with pytest.raises(StoreUnavailable) as caught:
        store.write([make_event(1)])
    assert pauses.slept == []
    assert "api_key_env" in str(caught.value)
    assert API_KEY not in str(caught.value) and API_KEY not in caplog.text


def test_cluster_refusals_raise_so_the_caller_spools(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses)
    first, blocked = make_event(1), make_event(2)
    cluster.item_faults[blocked["event"]["id"]] = [(403, "cluster_block_exception")]
    with pytest.raises(PartialWriteError) as caught:
        store.write([first, blocked])
    assert caught.value.committed_ids == {first["event"]["id"]}
    assert store.dead_letter_count() == 0  # a cluster problem is not the event's fault


def test_an_unanswered_attempt_counts_its_conflicts_as_new(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    store.ensure_setup()
    event = make_event(1)
    cluster.docs["logs-soc-events-2026.11.01"][event["event"]["id"]] = event  # stored, reply lost
    cluster.script["bulk"] = [ConnectionTimeout("reply lost")]
    result = store.write([event])
    assert (result.ingested, result.duplicates) == (1, 0)


def test_a_busy_refusal_is_certain_so_conflicts_stay_duplicates(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    event = make_event(1)
    store.write([event])
    cluster.script["bulk"] = [error("circuit_breaking_exception", "too much data", 429)]
    result = store.write([event])
    assert (result.ingested, result.duplicates) == (0, 1)
    assert cluster.sent("bulk")[-1].params["filter_path"] == "errors,items.*.status,items.*.error"


def test_writers_with_least_privilege_skip_setup(cluster: FakeCluster, pauses: Pauses) -> None:
    settings = ElasticsearchSettings(hosts=["https://es.test:9200"])
    store = ElasticsearchEventStore(
        settings, cluster.client(settings), backoff=pauses.backoff(), install_templates=False
    )
    store.write([make_event(1)])
    assert [endpoint_of(r.method, r.path) for r in cluster.requests] == ["bulk"]


def test_a_writer_key_without_template_rights_still_writes(
    cluster: FakeCluster, pauses: Pauses, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(cluster, pauses)
    cluster.script["get_policy"] = [error("security_exception", "action [read_ilm] denied", 403)]
    assert store.write([make_event(1)]).ingested == 1
    assert "cannot install the index templates" in caplog.text
    assert cluster.sent("put_template") == []


def test_other_setup_failures_stop_the_write(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses, retries=0)
    cluster.script["get_policy"] = [NodeUnreachable("down")]
    with pytest.raises(StoreUnavailable):
        store.write([make_event(1)])
    assert cluster.sent("bulk") == []


def test_dead_letters_keep_raw_bytes_base64_under_a_stable_id(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    letter = DeadLetter(
        "udp://10.1.2.3", "invalid UTF-8", b"\xff\xfe\x00", offset=7, source_type="x"
    )
    store.write_dead_letters([letter])
    store.write_dead_letters([letter])  # a replay keeps one copy
    bulk = cluster.sent("bulk")[-1]
    assert bulk.body[0]["create"]["_index"] == "logs-soc-deadletter"
    assert bulk.body[1]["dead_letter"]["raw_base64"] == base64.b64encode(b"\xff\xfe\x00").decode()
    (back,) = store.dead_letters()
    assert (back.raw, back.reason, back.offset, back.source) == (
        letter.raw,
        letter.reason,
        7,
        "udp://10.1.2.3",
    )
    assert store.dead_letter_count() == 1


def test_search_sends_the_compiled_query_and_returns_sources(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    events = [make_event(2), make_event(1)]
    cluster.search_reply = {"hits": {"hits": [{"_id": "a", "_source": e} for e in events]}}
    query = EventQuery(dataset="linux.auth", limit=2)
    assert store.search(query) == events
    (sent,) = cluster.sent("search")
    assert sent.path == "/logs-soc-events-*/_search"
    assert sent.body == search_request(query)
    assert store.search(EventQuery(limit=0)) == []  # nothing asked, nothing sent
    assert len(cluster.sent("search")) == 1


def test_aggregate_and_count(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses)
    cluster.search_reply = {
        "aggregations": {"top": {"buckets": [{"key": "10.0.0.9", "doc_count": 7}]}}
    }
    assert store.aggregate("source.ip", EventQuery(), 5) == [Bucket("10.0.0.9", 7)]
    assert cluster.sent("search")[0].body["aggs"]["top"]["terms"]["size"] == 5
    cluster.script["count"] = [(200, {"count": 42})]
    assert store.count(EventQuery(kind="alert")) == 42
    assert cluster.sent("count")[0].body == {"query": query_dsl(EventQuery(kind="alert"))}


def test_a_query_the_cluster_refuses_is_a_store_error_not_an_outage(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    cluster.script["search"] = [
        error("search_phase_execution_exception", "Fielddata is disabled on [message]")
    ]
    with pytest.raises(StoreError, match="Fielddata") as caught:
        store.aggregate("message", EventQuery())
    assert not isinstance(caught.value, StoreUnavailable)
    with pytest.raises(StoreError, match="not a field name"):
        store.aggregate("message OR 1", EventQuery())


def test_reads_retry_then_report_the_outage(cluster: FakeCluster, pauses: Pauses) -> None:
    store = open_store(cluster, pauses, retries=1)
    cluster.script["count"] = [NodeUnreachable("down"), NodeUnreachable("down")]
    with pytest.raises(StoreUnavailable, match="2 attempts"):
        store.count(EventQuery())
    assert pauses.slept == [0.5]


def test_close_closes_only_a_client_the_store_built() -> None:
    lent = Mock(spec=Elasticsearch)
    ElasticsearchEventStore(ElasticsearchSettings(), lent).close()
    lent.close.assert_not_called()


# ---------------------------------------------------------------------------------------------
# The client: TLS by default, the key from the environment
# ---------------------------------------------------------------------------------------------


def test_plain_http_hosts_are_refused_unless_allowed() -> None:
    settings = ElasticsearchSettings(hosts=["http://es.local:9200"])
    with pytest.raises(ConfigError, match="not https"):
        build_client(settings, environ={})
    assert build_client(settings, environ={}, allow_plaintext=True) is not None


def test_no_host_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no Elasticsearch host"):
        build_client(ElasticsearchSettings(hosts=[]), environ={})


def test_missing_ca_file_is_a_config_error(tmp_path: Path) -> None:
    settings = ElasticsearchSettings(ca_certs=tmp_path / "missing-ca.pem")
    with pytest.raises(ConfigError, match="CA certificate"):
        build_client(settings, environ={})


def test_the_key_comes_from_the_variable_the_settings_name(cluster: FakeCluster) -> None:
    settings = ElasticsearchSettings(hosts=["https://es.test:9200"], api_key_env="CITY_ES_KEY")
    client = cluster.client(settings, CITY_ES_KEY="a2V5", SOC_ES_API_KEY="wrong")
    client.count(index="x")
    assert cluster.requests[0].headers["authorization"] == "ApiKey a2V5"
    anonymous = FakeCluster()
    anonymous.client(settings).count(index="x")
    assert "authorization" not in anonymous.requests[0].headers


def test_the_store_builds_its_own_client_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOC_ES_API_KEY", API_KEY)
    store = ElasticsearchEventStore(ElasticsearchSettings(hosts=["https://es.example:9200"]))
    assert store.NAME == "elasticsearch"
    assert store.layout.events_pattern == "logs-soc-events-*"
    store.close()


# ---------------------------------------------------------------------------------------------
# python -m soc.stores.es_setup
# ---------------------------------------------------------------------------------------------


def test_setup_command_installs_the_layout(
    cluster: FakeCluster,
    pauses: Pauses,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "soc.toml"
    config.write_text('[store.elasticsearch]\ndata_stream_prefix = "logs-hue"\n', "utf-8")

    def on_fake_cluster(settings: ElasticsearchSettings) -> ElasticsearchEventStore:
        return ElasticsearchEventStore(settings, cluster.client(settings), backoff=pauses.backoff())

    monkeypatch.setattr(es_setup, "ElasticsearchEventStore", on_fake_cluster)
    assert es_setup.main(["--config", str(config)]) == 0
    assert set(cluster.templates) == {"logs-hue-events", "logs-hue-deadletter"}
    assert "logs-hue-events" in capsys.readouterr().out


def test_setup_command_reports_errors_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "soc.toml"
    config.write_text('[store.elasticsearch]\nhosts = ["http://es:9200"]\n', "utf-8")
    assert es_setup.main(["--config", str(config)]) == 2
    assert "not https" in capsys.readouterr().err


def test_dead_letters_of_one_source_are_asked_for_by_term(
    cluster: FakeCluster, pauses: Pauses
) -> None:
    store = open_store(cluster, pauses)
    cluster.search_reply = {"hits": {"hits": []}}
    assert store.dead_letters_from("syslog://10.0.0.5", limit=5) == []
    search = cluster.sent("search")[-1]
    assert search.path == "/logs-soc-deadletter/_search"
    assert search.body["query"] == {"term": {"dead_letter.source": "syslog://10.0.0.5"}}
    assert search.body["size"] == 5
