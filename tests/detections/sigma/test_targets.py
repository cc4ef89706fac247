"""Conversion to the Elasticsearch languages and to SQLite SQL: the queries themselves, checked
as text (no server needed); against a real Elasticsearch only when SOC_TEST_ES_URL is set."""

from __future__ import annotations

import os
import textwrap
import uuid
from pathlib import Path

import pytest

from detections.sigma.elastic import export_elastic
from detections.sigma.targets import convert, read_collection

WINDOWS = """
title: certutil download
id: 0e0e0e0e-0000-0000-0000-000000000001
tags: [attack.command-and-control, attack.t1105]
level: high
logsource: {product: windows, category: process_creation}
detection:
    img: {Image|endswith: '\\certutil.exe'}
    cli: {CommandLine|contains: 'urlcache'}
    condition: img and cli
"""
WEB = """
title: traversal
id: 0e0e0e0e-0000-0000-0000-000000000002
level: medium
logsource: {category: webserver}
detection:
    sel: {cs-uri-query|contains: '../', sc-status: 200}
    condition: sel
"""
CORRELATED = """
title: failed vpn
id: 0e0e0e0e-0000-0000-0000-000000000003
name: t_vpn_failed
logsource: {product: fortigate, service: event}
detection:
    sel: {event.action: ssl-login-fail}
    condition: sel
---
title: vpn brute force
id: 0e0e0e0e-0000-0000-0000-000000000004
level: high
tags: [attack.credential-access, attack.t1110]
correlation:
    type: event_count
    rules: [t_vpn_failed]
    group-by: [source.ip]
    timespan: 10m
    condition: {gte: 10}
"""


def _file(tmp_path: Path, body: str, name: str = "r.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _queries(tmp_path: Path, body: str, target: str) -> list[str]:
    results = convert(read_collection([_file(tmp_path, body)]), target)
    assert all(r.error is None for r in results), [r.error for r in results]
    return [str(q) for r in results for q in r.queries]


def test_lucene_uses_our_ecs_paths(tmp_path: Path) -> None:
    (windows,) = _queries(tmp_path, WINDOWS, "lucene")
    assert "winlog.channel:Microsoft\\-Windows\\-Sysmon\\/Operational" in windows
    assert "winlog.event_id:1" in windows
    assert "winlog.event_data.Image:*\\\\certutil.exe" in windows
    assert "winlog.event_data.CommandLine:*urlcache*" in windows
    (web,) = _queries(tmp_path, WEB, "lucene")
    assert web == "url.query:*..\\/* AND http.response.status_code:200"


def test_esql_reads_the_event_indices(tmp_path: Path) -> None:
    (web,) = _queries(tmp_path, WEB, "esql")
    assert web.startswith("from logs-soc-events-* metadata")
    assert 'url.query like "*../*"' in web and "http.response.status_code==200" in web
    (corr,) = _queries(tmp_path, CORRELATED, "esql")
    assert "stats event_count=count() by timebucket, source.ip" in corr
    assert "where event_count >= 10" in corr


def test_eql_sequence_for_a_count(tmp_path: Path) -> None:
    (corr,) = _queries(tmp_path, CORRELATED, "eql")
    assert corr.startswith("sequence by source.ip with maxspan=10m")
    assert 'event.action:"ssl-login-fail"' in corr


def test_sqlite_reads_the_scan_view_case_insensitively(tmp_path: Path) -> None:
    (web,) = _queries(tmp_path, WEB, "sqlite")
    assert web.startswith("SELECT * FROM events_view WHERE")
    assert "`url.query` LIKE '%../%'" in web
    assert "`http.response.status_code`=200" in web and "'200'" in web  # number or text


def test_export_elastic_rule_objects(tmp_path: Path) -> None:
    export = export_elastic(
        [_file(tmp_path, WINDOWS, "w.yml"), _file(tmp_path, CORRELATED, "c.yml")]
    )
    assert not export.errors
    by_type = {r["type"]: r for r in export.rules}
    assert set(by_type) == {"query", "esql"}  # the correlation's base rule is not exported alone
    query = by_type["query"]
    assert (
        query["rule_id"] == "0e0e0e0e-0000-0000-0000-000000000001" and query["severity"] == "high"
    )
    assert query["risk_score"] == 73 and query["index"] == ["logs-soc-events-*"]
    assert query["threat"][0]["tactic"]["id"] == "TA0011"
    assert "index" not in by_type["esql"]


ES_URL = os.environ.get("SOC_TEST_ES_URL")


@pytest.mark.skipif(not ES_URL, reason="SOC_TEST_ES_URL is not set (no Elasticsearch here)")
def test_lucene_and_esql_against_a_real_elasticsearch(tmp_path: Path) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(ES_URL, api_key=os.environ.get("SOC_TEST_ES_API_KEY") or None)
    index = f"logs-soc-events-test-{uuid.uuid4().hex[:8]}"
    docs = [
        {
            "@timestamp": "2026-03-01T02:00:00Z",
            "url": {"query": "f=../../etc/passwd"},
            "http": {"response": {"status_code": 200}},
        },
        {
            "@timestamp": "2026-03-01T02:00:01Z",
            "url": {"query": "id=12"},
            "http": {"response": {"status_code": 200}},
        },
    ]
    try:
        for n, doc in enumerate(docs):
            client.index(index=index, id=str(n), document=doc, refresh=True)
        (lucene,) = _queries(tmp_path, WEB, "lucene")
        found = client.search(index=index, q=lucene)["hits"]["hits"]
        assert [h["_id"] for h in found] == ["0"]
        (esql,) = _queries(tmp_path, WEB, "esql")
        answer = client.esql.query(query=esql.replace("logs-soc-events-*", index))
        assert len(answer["values"]) == 1
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)
