"""Suricata eve.json → ECS: one fully specified alert, each event type, and refusals."""

from __future__ import annotations

import json

import pytest

from collectors.suricata_eve import SuricataEveParser
from soc.errors import ParseError
from tests.collectors.conftest import record

ALERT = {
    "timestamp": "2015-03-29T11:01:38.221126-0600",
    "flow_id": 1959620435402694,
    "in_iface": "eth0",
    "event_type": "alert",
    "src_ip": "222.186.56.46",
    "src_port": 4904,
    "dest_ip": "192.168.0.2",
    "dest_port": 22,
    "proto": "TCP",
    "community_id": "1:abc=",
    "alert": {
        "action": "allowed",
        "gid": 1,
        "signature_id": 2001219,
        "rev": 20,
        "signature": "ET SCAN Potential SSH Scan",
        "category": "Attempted Information Leak",
        "severity": 2,
    },
}


def parse_one(doc: dict | str) -> dict:
    line = doc if isinstance(doc, str) else json.dumps(doc)
    events = list(SuricataEveParser().parse(record(line, offset=42, source="/data/eve.json")))
    assert len(events) == 1
    return events[0]


def test_alert_is_fully_mapped() -> None:
    line = json.dumps(ALERT)
    event = parse_one(line)
    assert event["@timestamp"] == "2015-03-29T17:01:38.221126Z"
    assert event["event"]["kind"] == "alert"
    assert event["event"]["category"] == ["network", "intrusion_detection"]
    assert event["event"]["type"] == ["allowed"]
    assert event["event"]["dataset"] == "suricata.eve"
    assert event["event"]["module"] == "suricata"
    assert event["event"]["severity"] == 2
    assert event["event"]["original"] == line
    assert len(event["event"]["id"]) == 32
    assert event["source"] == {"ip": "222.186.56.46", "port": 4904}
    assert event["destination"] == {"ip": "192.168.0.2", "port": 22}
    assert event["network"] == {"type": "ipv4", "transport": "tcp", "community_id": "1:abc="}
    assert event["rule"] == {
        "id": "2001219",
        "name": "ET SCAN Potential SSH Scan",
        "category": "Attempted Information Leak",
        "version": "20",
    }
    assert event["suricata"]["eve"]["flow_id"] == 1959620435402694
    assert event["log"]["file"]["path"] == "/data/eve.json"
    assert event["observer"]["product"] == "Suricata"


def test_id_is_deterministic_and_depends_on_offset() -> None:
    parser = SuricataEveParser()
    line = json.dumps(ALERT).encode()
    a = next(iter(parser.parse(record(line, offset=0))))
    b = next(iter(parser.parse(record(line, offset=0))))
    c = next(iter(parser.parse(record(line, offset=100))))
    assert a["event"]["id"] == b["event"]["id"] != c["event"]["id"]


def test_http_event() -> None:
    event = parse_one(
        {
            "timestamp": "2026-01-01T00:00:00Z",
            "event_type": "http",
            "src_ip": "10.0.0.5",
            "dest_ip": "203.0.113.9",
            "proto": "TCP",
            "app_proto": "http",
            "http": {
                "hostname": "dichvucong.danang.gov.vn",
                "url": "/login?next=/a",
                "http_user_agent": "curl/8",
                "http_method": "POST",
                "protocol": "HTTP/1.1",
                "status": 302,
                "length": 12,
            },
        }
    )
    assert event["event"]["kind"] == "event"
    assert event["url"] == {
        "original": "/login?next=/a",
        "path": "/login",
        "query": "next=/a",
        "domain": "dichvucong.danang.gov.vn",
    }
    assert event["http"]["request"]["method"] == "POST"
    assert event["http"]["response"]["status_code"] == 302
    assert event["http"]["version"] == "1.1"
    assert event["user_agent"]["original"] == "curl/8"
    assert event["network"]["protocol"] == "http"


def test_dns_v2_answer() -> None:
    event = parse_one(
        {
            "timestamp": "2026-01-01T00:00:00+07:00",
            "event_type": "dns",
            "src_ip": "2001:df2:9b00::5",
            "dest_ip": "2001:df2:9b00::53",
            "proto": "UDP",
            "dns": {
                "version": 2,
                "type": "answer",
                "id": 4711,
                "rrname": "example.org",
                "rrtype": "A",
                "rcode": "NOERROR",
                "answers": [
                    {"rrname": "example.org", "rrtype": "A", "ttl": 60, "rdata": "1.2.3.4"}
                ],
            },
        }
    )
    assert event["@timestamp"] == "2025-12-31T17:00:00.000000Z"
    assert event["network"]["type"] == "ipv6"
    assert event["dns"]["question"] == {"name": "example.org", "type": "A"}
    assert event["dns"]["id"] == "4711"
    assert event["dns"]["response_code"] == "NOERROR"
    assert event["dns"]["resolved_ip"] == ["1.2.3.4"]


def test_tls_flow_fileinfo_anomaly() -> None:
    base = {"timestamp": "2026-01-01T00:00:00Z", "src_ip": "10.0.0.1", "dest_ip": "10.0.0.2"}
    tls = parse_one(
        base
        | {
            "event_type": "tls",
            "tls": {
                "version": "TLS 1.2",
                "sni": "a.vn",
                "fingerprint": "aa:bb",
                "ja3": {"hash": "j"},
            },
        }
    )
    assert tls["tls"]["version"] == "1.2" and tls["tls"]["version_protocol"] == "tls"
    assert tls["tls"]["client"] == {"server_name": "a.vn", "ja3": "j"}
    assert tls["tls"]["server"]["hash"]["sha1"] == "AABB"
    flow = parse_one(
        base
        | {
            "event_type": "flow",
            "flow": {
                "pkts_toserver": 3,
                "pkts_toclient": 2,
                "bytes_toserver": 300,
                "bytes_toclient": 200,
                "start": "2026-01-01T00:00:00Z",
                "end": "2026-01-01T00:00:05Z",
                "state": "closed",
            },
        }
    )
    assert flow["network"]["bytes"] == 500 and flow["network"]["packets"] == 5
    assert flow["event"]["end"] == "2026-01-01T00:00:05.000000Z"
    info = parse_one(
        base
        | {"event_type": "fileinfo", "fileinfo": {"filename": "/x/a.exe", "size": 9, "md5": "m"}}
    )
    assert info["file"]["name"] == "a.exe" and info["file"]["hash"] == {"md5": "m"}
    anomaly = parse_one(
        base | {"event_type": "anomaly", "anomaly": {"type": "decode", "event": "ipv4.trunc_pkt"}}
    )
    assert anomaly["suricata"]["eve"]["anomaly"]["event"] == "ipv4.trunc_pkt"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"timestamp": "2026-01-01T00:00:00Z", "event_type": "al', "not valid JSON"),
        (b'{"timestamp": "2026", "event_type": "alert", "x": "\xff\xfe"}', "invalid UTF-8"),
        (b'{"a": 1}\x00\x00', "NUL byte"),
        (b'{"event_type": "alert"}', "event_type and timestamp are required"),
        (b'{"event_type": "alert", "timestamp": "yesterday"}', "eve timestamp: invalid time"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_records_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        list(SuricataEveParser().parse(record(data)))


def test_matches_only_json_objects() -> None:
    parser = SuricataEveParser()
    assert parser.matches(record(b'  {"event_type": "x"}'))
    assert not parser.matches(record(b"Jan  1 00:00:00 host sshd[1]: hi"))
