"""E-government audit events and already-ECS events: mapping, ids, refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from collectors.ecs_json import EcsJsonParser
from collectors.egov_audit import EgovAuditParser
from collectors.ingest import ingest_files
from collectors.registry import SourceType
from enrichment.assets import Asset, AssetEnricher
from soc.errors import ParseError
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from tests.collectors.conftest import record

LOGIN_FAILED = {
    "schema": "egov-audit/1",
    "id": "dvc-7f3a9",
    "time": "2026-03-01T08:15:30+07:00",
    "app": "portal",
    "app_instance": "dichvucong.danang.gov.vn",
    "action": "login",
    "outcome": "failure",
    "reason": "bad_password",
    "actor": {"name": "0905123456", "type": "citizen"},
    "client": {"ip": "203.0.113.50", "user_agent": "Mozilla/5.0"},
}


def egov(doc: dict[str, Any], offset: int = 0) -> dict[str, Any]:
    (event,) = EgovAuditParser().parse(record(json.dumps(doc), offset=offset))
    return event


def test_failed_login_is_fully_specified() -> None:
    event = egov(LOGIN_FAILED)
    assert event["@timestamp"] == "2026-03-01T01:15:30.000000Z"
    assert event["event"]["dataset"] == "egov.portal"
    assert event["event"]["module"] == "egov"
    assert event["event"]["action"] == "login"
    assert event["event"]["outcome"] == "failure"
    assert event["event"]["category"] == ["authentication"]
    assert event["event"]["reason"] == "bad_password"
    assert event["user"] == {"name": "0905123456"}
    assert event["source"] == {"ip": "203.0.113.50"}
    assert event["user_agent"] == {"original": "Mozilla/5.0"}
    assert event["url"] == {"domain": "dichvucong.danang.gov.vn"}
    assert event["egov"] == {"actor": {"type": "citizen"}}
    assert event["service"] == {"name": "portal"}


def test_application_id_makes_resends_the_same_event() -> None:
    assert (
        egov(LOGIN_FAILED, offset=0)["event"]["id"] == egov(LOGIN_FAILED, offset=99)["event"]["id"]
    )
    other = {**LOGIN_FAILED, "id": "dvc-7f3b0"}
    assert egov(other)["event"]["id"] != egov(LOGIN_FAILED)["event"]["id"]


def test_privilege_change_export_and_api_call() -> None:
    change = egov(
        {
            "time": "2026-03-01T09:00:00+07:00",
            "app": "one-stop",
            "action": "privilege_change",
            "outcome": "success",
            "target": {"type": "user", "id": "u-77", "name": "nguyenvanb"},
            "privilege": {"from": "chuyen-vien", "to": "quan-tri"},
        }
    )
    assert change["event"]["dataset"] == "egov.one_stop"
    assert change["user"]["target"] == {"id": "u-77", "name": "nguyenvanb"}
    assert change["egov"]["privilege"] == {"from": "chuyen-vien", "to": "quan-tri"}
    export = egov(
        {
            "time": "2026-03-01T22:47:10+07:00",
            "app": "docs",
            "action": "export",
            "outcome": "success",
            "export": {"records": 18250, "format": "xlsx"},
        }
    )
    assert export["event"]["dataset"] == "egov.document"
    assert export["egov"]["export"] == {"records": 18250, "format": "xlsx"}
    call = egov(
        {
            "time": "2026-03-01T10:00:00.250+07:00",
            "app": "lgsp",
            "action": "api_call",
            "outcome": "success",
            "api": {"service": "ngsp.dan-cu", "client_id": "mc-danang", "records": 1},
            "request": {"method": "POST", "path": "/ngsp", "status": 200, "duration_ms": 84},
        }
    )
    assert call["egov"]["client_id"] == "mc-danang"
    assert call["event"]["duration"] == 84_000_000
    assert call["http"]["response"]["status_code"] == 200


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"outcome": None}, "without 'outcome'"),
        ({"time": "yesterday"}, "invalid time"),
        ({"app": "Portal!"}, "invalid app name"),
        ({"outcome": "maybe"}, "outcome must be"),
        ({"schema": "other/2"}, "unsupported egov audit schema"),
        ({"actor": "bob"}, "'actor' must be an object"),
        ({"reason": "x" * 5000}, "longer than 4096"),
        ({"action": ["login"]}, "must be text"),
    ],
)
def test_refusals(change: dict[str, Any], reason: str) -> None:
    doc = {k: v for k, v in {**LOGIN_FAILED, **change}.items() if v is not None}
    with pytest.raises(ParseError, match=reason):
        egov(doc)


def test_ecs_json_keeps_fields_and_nests_dotted_keys() -> None:
    line = json.dumps(
        {
            "@timestamp": "2026-01-01T00:00:00+07:00",
            "source.ip": "10.0.0.1",
            "source": {"port": 5},
            "event": {"dataset": "custom.app", "id": "abc", "kind": "alert"},
            "labels": {"team": "soc"},
        }
    )
    (event,) = EcsJsonParser().parse(record(line))
    assert event["@timestamp"] == "2025-12-31T17:00:00.000000Z"
    assert event["source"] == {"ip": "10.0.0.1", "port": 5}
    assert event["event"]["dataset"] == "custom.app" and event["event"]["kind"] == "alert"
    assert event["event"]["id"] != "abc" and event["soc"]["original_id"] == "abc"
    assert event["labels"] == {"team": "soc"}


def test_ecs_json_requires_a_timestamp() -> None:
    with pytest.raises(ParseError, match="@timestamp"):
        list(EcsJsonParser().parse(record('{"message": "x"}')))


def test_egov_file_ingest_twice_is_idempotent(
    tmp_path: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    path = tmp_path / "audit.ndjson"
    lines = [json.dumps({**LOGIN_FAILED, "id": f"e{i}"}) for i in range(20)] + ["{}"]
    path.write_text("\n".join(lines) + "\n")
    ingest_files([path], source_types["egov-json"], pipeline)
    ingest_files([path], source_types["egov-json"], pipeline)
    assert store.count(EventQuery(dataset="egov.portal")) == 20
    assert pipeline.stats.counters("egov-json").rejected == 2


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"source": "10.10.20.7"}, "ECS field set 'source' must be an object, got text"),
        ({"host": ["x"]}, "ECS field set 'host' must be an object, got a list"),
        ({"soc": "str", "source": {"ip": "10.10.20.7"}}, "'soc' must be an object, got text"),
        ({"network": 5}, "'network' must be an object, got a number"),
        ({"source": {"ip": "10.0.0.1", "geo": "VN"}}, "'source.geo' must be an object"),
        ({"log.source": "10.0.0.1"}, "'log.source' must be an object, got text"),
        ({"event": {"dataset": ["a"]}}, "'event.dataset' must be text, got a list"),
        ({"event": {"kind": 1}}, "'event.kind' must be text, got a number"),
        ({"tags": {"a": 1}}, "'tags' must be text or a list of text"),
    ],
)
def test_ecs_json_of_the_wrong_shape_is_refused_with_the_field_named(
    fields: dict[str, Any], reason: str
) -> None:
    line = json.dumps({"@timestamp": "2026-11-23T03:00:00Z", **fields})
    with pytest.raises(ParseError, match=re.escape(reason)):
        EcsJsonParser().parse(record(line))


def test_ecs_json_field_set_sent_as_null_is_absent() -> None:
    line = json.dumps({"@timestamp": "2026-11-23T03:00:00Z", "network": None, "tags": "x"})
    (event,) = EcsJsonParser().parse(record(line))
    assert "network" not in event and event["tags"] == ["x"]


def test_malformed_ecs_json_lines_are_dead_letters_and_the_rest_is_stored(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    inventory = AssetEnricher(
        [Asset("dng-camera", "Camera", "so-tttt", ip_ranges=("10.10.20.0/24",))]
    )
    pipeline = Pipeline(store, batch_size=500, enrichers=[inventory])
    stamp = '"@timestamp":"2026-11-23T03:00:00Z"'
    lines = [
        f'{{{stamp},"source":"10.10.20.7"}}',
        f'{{{stamp},"host":["x"]}}',
        f'{{{stamp},"soc":"str","source":{{"ip":"10.10.20.7"}}}}',
        f'{{{stamp},"event":{{"dataset":["a"]}}}}',
        f'{{{stamp},"source":{{"ip":"10.10.20.7"}},"event":{{"dataset":"cam.access"}}}}',
    ]
    path = tmp_path / "ecs.ndjson"
    path.write_text("\n".join(lines) + "\n")
    ingest_files([path], source_types["ecs-json"], pipeline)
    (stored,) = store.search(EventQuery())
    assert stored["soc"]["system_id"] == "dng-camera"
    reasons = sorted(letter.reason for letter in store.dead_letters())
    assert len(reasons) == 4 and all(r.startswith("ecs-json: ECS field") for r in reasons)


FORGED = {"event": {"dataset": "linux.auth"}, "soc": {"system_id": "dng-camera", "zone": "x"},
          "organization": {"id": "so-tttt"}}  # fmt: skip


def test_ecs_json_cannot_claim_the_platforms_context() -> None:
    line = json.dumps({"@timestamp": "2026-11-23T03:00:00Z", "tags": ["app"], **FORGED})
    (event,) = EcsJsonParser().parse(record(line))
    assert "organization" not in event and "system_id" not in event.get("soc", {})
    assert event["tags"] == ["app", "_soc_context_removed"]
    assert json.loads(event["event"]["original"])["soc"]["system_id"] == "dng-camera"
    dotted = json.dumps({"@timestamp": "2026-11-23T03:00:00Z", "soc.system_id": "dng-camera"})
    (event,) = EcsJsonParser().parse(record(dotted))
    assert "soc" not in event and event["tags"] == ["_soc_context_removed"]


def test_forged_context_is_replaced_by_the_inventory_and_the_collector(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    camera = Asset("dng-camera", "Camera", "so-tttt", ip_ranges=("10.10.20.0/24",))
    portal = Asset("dvc", "Portal", "so-tttt", zone="dmz", hostnames=("dichvucong.danang.gov.vn",))
    pipeline = Pipeline(store, batch_size=500, enrichers=[AssetEnricher([camera, portal])])
    host = {"name": "dichvucong.danang.gov.vn"}
    lines = [
        {"@timestamp": "2026-11-23T03:00:00Z", **FORGED},  # no address: no system
        {"@timestamp": "2026-11-23T03:00:01Z", **FORGED, "host": host},
    ]
    path = tmp_path / "ecs.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    ingest_files([path], source_types["ecs-json"], pipeline)
    first, second = store.search(EventQuery(ascending=True))
    assert "soc" not in first and "organization" not in first
    assert second["soc"]["system_id"] == "dvc" and second["soc"]["zone"] == "dmz"
    assert all("_soc_context_removed" in e["tags"] for e in (first, second))


def test_egov_json_ignores_a_senders_platform_context() -> None:
    event = egov({**LOGIN_FAILED, **FORGED})
    assert "soc" not in event and "organization" not in event
    assert event["event"]["dataset"] == "egov.portal"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"time": "2026-11-23T10:00:00"}, "no UTC offset (+07:00 or Z)"),
        ({"time": "2026-11-23"}, "no UTC offset"),
        ({"export": {"records": "many"}}, "'export.records' must be a whole number, got 'many'"),
        ({"export": {"records": -3}}, "'export.records' must be a whole number"),
        ({"api": {"records": 1.5}}, "'api.records' must be a whole number"),
        ({"request": {"status": "OK"}}, "'request.status' must be a whole number"),
        ({"client": {"ip": "not-an-ip"}}, "'client.ip' must be an IP address, got 'not-an-ip'"),
        ({"client": {"ip": "10.1.1.1", "port": "http"}}, "'client.port' must be a whole number"),
    ],
)
def test_egov_values_the_format_refuses_are_refused(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError, match=re.escape(reason)):
        egov({**LOGIN_FAILED, **change})


def test_egov_time_offsets_and_numbers_the_format_accepts() -> None:
    change = {
        "time": "2026-11-23 10:00:00+07:00",
        "export": {"records": "18250"},
        "client": {"ip": "10.1.1.1", "port": 443},
    }
    event = egov({**LOGIN_FAILED, **change})
    assert event["@timestamp"] == "2026-11-23T03:00:00.000000Z"
    assert event["egov"]["export"]["records"] == 18250
    assert event["source"] == {"ip": "10.1.1.1", "port": 443}
