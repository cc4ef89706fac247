"""E-government audit events and already-ECS events: mapping, ids, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collectors.ecs_json import EcsJsonParser
from collectors.egov_audit import EgovAuditParser
from collectors.ingest import ingest_files
from collectors.registry import SourceType
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
