"""Indicators from CSV, STIX 2.1 and MISP; O(1) matching into threat.enrichments; expiry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stix2

from enrichment.indicator_feeds import load_csv, load_feed, load_misp, load_stix
from enrichment.setup import load_indicators
from enrichment.threat_intel import Indicator, IndicatorIndex
from soc.errors import ContentError

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def index(*indicators: Indicator) -> IndicatorIndex:
    return IndicatorIndex(indicators, clock=lambda: NOW)


def test_match_is_fully_specified() -> None:
    bad = Indicator("ipv4-addr", "203.0.113.66", "VNCERT", confidence="high", description="C2")
    event = {"destination": {"ip": "203.0.113.66"}, "source": {"ip": "10.0.0.5"}}
    index(bad)(event)
    assert event["threat"]["enrichments"] == [
        {
            "indicator": {
                "type": "ipv4-addr",
                "provider": "VNCERT",
                "ip": "203.0.113.66",
                "confidence": "high",
                "description": "C2",
            },
            "matched": {
                "atomic": "203.0.113.66",
                "field": "destination.ip",
                "type": "indicator_match_rule",
            },
        }
    ]


def test_domains_urls_hashes_cidrs_and_expiry() -> None:
    intel = index(
        Indicator("domain-name", "evil.example", "feed"),
        Indicator("url", "http://x.example/a.exe", "feed"),
        Indicator("file", "d41d8cd98f00b204e9800998ecf8427e", "feed"),
        Indicator("cidr", "198.51.100.0/24", "feed"),
        Indicator("ipv4-addr", "192.0.2.1", "feed", expires=NOW - timedelta(days=1)),
    )
    event = {
        "dns": {"question": {"name": "EVIL.example."}},
        "url": {"original": "http://x.example/a.exe"},
        "file": {"hash": {"md5": "D41D8CD98F00B204E9800998ECF8427E"}},
        "source": {"ip": "198.51.100.77"},
        "destination": {"ip": "192.0.2.1"},
    }
    intel(event)
    fields = sorted(m["matched"]["field"] for m in event["threat"]["enrichments"])
    assert fields == ["dns.question.name", "file.hash.md5", "source.ip", "url.original"]
    clean = {"source": {"ip": "10.0.0.1"}, "url": {"domain": "good.example"}}
    intel(clean)
    assert "threat" not in clean


def test_csv_feed_with_problems_reported(tmp_path: Path) -> None:
    feed = tmp_path / "vncert.csv"
    feed.write_text(
        "type,value,provider,expires,confidence,description\n"
        "ip,203.0.113.66,VNCERT,2026-12-31T00:00:00Z,high,C2 server\n"
        "cidr,198.51.100.0/24,,,,\n"
        "sha256,ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789,,,,\n"
        "ip,not-an-ip,,,,\n"
        "weird,x,,,,\n"
    )
    indicators, problems = load_csv(feed)
    assert [i.type for i in indicators] == ["ipv4-addr", "cidr", "file"]
    assert indicators[0].provider == "VNCERT" and indicators[1].provider == "vncert"
    assert len(problems) == 2 and problems[0].startswith(f"{feed}:5:")


def test_stix_bundle(tmp_path: Path) -> None:
    author = stix2.Identity(name="NCSC Vietnam", identity_class="organization")
    bundle = stix2.Bundle(
        author,
        stix2.Indicator(
            pattern="[ipv4-addr:value = '203.0.113.9'] OR [domain-name:value = 'bad.example']",
            pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
            valid_until="2026-06-01T00:00:00Z", created_by_ref=author.id,
        ),
        stix2.Indicator(
            pattern="[file:hashes.'SHA-256' = "
            "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
            pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
        ),
    )  # fmt: skip
    path = tmp_path / "ncsc.json"
    path.write_text(bundle.serialize())
    indicators, problems = load_feed(path)
    assert problems == []
    assert sorted(i.type for i in indicators) == ["domain-name", "file", "ipv4-addr"]
    assert {i.provider for i in indicators if i.type != "file"} == {"NCSC Vietnam"}
    assert next(i for i in indicators if i.type == "ipv4-addr").expires == datetime(
        2026, 6, 1, tzinfo=UTC
    )
    assert load_stix(path)[0] == indicators


def test_misp_event(tmp_path: Path) -> None:
    path = tmp_path / "misp.json"
    stamp = int(NOW.timestamp())
    path.write_text(json.dumps({"Event": {
        "info": "Phishing against government mail", "Orgc": {"name": "CIRCL"},
        "Attribute": [
            {"type": "domain", "value": "login-danang.example", "to_ids": True,
             "timestamp": str(stamp), "uuid": "a1"},
            {"type": "comment", "value": "ignored", "to_ids": False},
            {"type": "ip-dst", "value": "2001:db8::66", "to_ids": True, "uuid": "a2"},
            {"type": "md5", "value": "zz", "to_ids": True, "uuid": "a3"},
        ],
    }}))  # fmt: skip
    indicators, problems = load_misp(path)
    assert [(i.type, i.provider) for i in indicators] == [
        ("domain-name", "CIRCL"),
        ("ipv6-addr", "CIRCL"),
    ]
    assert indicators[0].expires == NOW + timedelta(days=90)
    assert len(problems) == 1 and "a3" in problems[0]


def test_feed_directory_and_unreadable_feed(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("type,value\ndomain,evil.example\n")
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(ContentError, match="not JSON"):
        load_indicators(tmp_path)
    (tmp_path / "b.json").unlink()
    intel, problems = load_indicators(tmp_path)
    assert intel.count == 1 and problems == []


def test_remembered_answers_follow_indicators_added_later() -> None:
    intel = index(Indicator("domain-name", "evil.example", "feed"))
    first = {"url": {"domain": "later.example"}, "source": {"ip": "203.0.113.5"}}
    intel(first)
    assert "threat" not in first
    intel.add(Indicator("domain-name", "later.example", "feed"))
    intel.add(Indicator("cidr", "203.0.113.0/24", "feed"))
    again = {"url": {"domain": "later.example"}, "source": {"ip": "203.0.113.5"}}
    intel(again)
    fields = [m["matched"]["field"] for m in again["threat"]["enrichments"]]
    assert fields == ["source.ip", "url.domain"]


def test_values_in_lists_and_odd_values_match_or_are_skipped() -> None:
    intel = index(Indicator("ipv4-addr", "192.0.2.1", "feed"))
    event = {"host": {"ip": ["10.0.0.1", "192.0.2.1", 5, ""]}, "source": {"ip": 7}}
    intel(event)
    intel(event)  # the second time from the remembered answers: a second match, same form
    matches = event["threat"]["enrichments"]
    assert [m["matched"]["atomic"] for m in matches] == ["192.0.2.1", "192.0.2.1"]
    assert matches[0] == matches[1] and matches[0] is not matches[1]
