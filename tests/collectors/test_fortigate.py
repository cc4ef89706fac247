"""FortiGate key=value logs: traffic denies, admin logins, UTM/IPS, v3 field names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from collectors import fortigate
from collectors.fortigate import parse_pairs
from soc.ecs import get_field
from tests.collectors.syslog_helpers import parse_syslog


def test_traffic_deny_is_fully_specified() -> None:
    event = parse_syslog(
        'date=2026-06-16 time=10:19:23 tz="+0700" devname="FGT-MAN" devid=FG100E logid=0000000013 '
        "type=traffic subtype=forward level=notice vd=root srcip=10.20.1.5 srcport=57727 "
        'srcintf="internal1" dstip=203.0.113.81 dstport=80 dstintf="wan1" proto=6 action=deny '
        "policyid=8 sentbyte=0 rcvdbyte=0"
    )
    assert event["event"]["dataset"] == "fortinet.firewall"
    assert event["@timestamp"] == "2026-06-16T03:19:23.000000Z"
    assert event["event"]["type"] == ["denied"] and event["event"]["action"] == "deny"
    assert event["source"] == {"ip": "10.20.1.5", "port": 57727, "bytes": 0}
    assert event["destination"] == {"ip": "203.0.113.81", "port": 80, "bytes": 0}
    assert event["network"]["transport"] == "tcp"
    assert event["rule"]["id"] == 8
    assert event["observer"]["name"] == "FGT-MAN"
    assert event["event"]["code"] == "0000000013"


def test_admin_login_failed() -> None:
    event = parse_syslog(
        "date=2016-06-17 time=02:37:41 devname=fw logid=0100032002 type=event subtype=system "
        'level=alert user="root" ui=ssh(222.186.130.227) action=login status=failed '
        'msg="Administrator root login failed"'
    )
    assert event["event"]["category"] == ["authentication"]
    assert event["event"]["outcome"] == "failure"
    assert (event["user"]["name"], event["source"]["ip"]) == ("root", "222.186.130.227")
    assert event["message"] == "Administrator root login failed"


def test_pairs_with_quotes_and_empty_values() -> None:
    assert parse_pairs('a=1 b="x y" c= d="q\\"z"') == {"a": "1", "b": "x y", "c": "", "d": 'q"z'}


def test_plain_key_value_without_logid_is_not_claimed() -> None:
    assert parse_syslog("Jan  1 00:00:00 h app: user=a type=b")["event"]["dataset"] == "syslog"


def test_wazuh_fortigate_corpus(datasets: Path) -> None:
    cases = json.loads((datasets / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    events = [parse_syslog(log["line"]) for case in cases["fortigate"] for log in case["logs"]]
    assert all(e["event"]["dataset"] == "fortinet.firewall" for e in events)
    traffic = [e for e in events if get_field(e, "fortinet.firewall.type") == "traffic"]
    assert traffic and all(get_field(e, "source.ip") for e in traffic)
    logins = [e for e in events if get_field(e, "event.category") == ["authentication"]]
    assert {get_field(e, "event.outcome") for e in logins} == {"success", "failure"}
    ips = [e for e in events if get_field(e, "fortinet.firewall.subtype") == "ips"]
    assert ips and all(get_field(e, "rule.name") for e in ips)


# The pair pattern as first written (an alternation per quoted character); the unrolled one
# must read the same pairs.
_ALTERNATION = re.compile(r'([\w-]+)=("(?:[^"\\]|\\.)*"|\S*)')


@given(st.lists(st.sampled_from(["k=", 'msg="', '"', "\\", '\\"', " ", "a", "x-y=", "="])))
def test_unrolled_pair_pattern_reads_like_the_alternation(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert fortigate._PAIR.findall(text) == _ALTERNATION.findall(text)


def test_configuration_change_keeps_what_changed() -> None:
    event = parse_syslog(
        'date=2026-03-01 time=09:00:00 devname="fgt-edge" devid="FG100F" vd="root" '
        'logid="0100044546" type="event" subtype="system" level="information" user="admin" '
        'ui="GUI(10.1.1.5)" action="Edit" cfgtid=2162733 cfgpath="log.threat-weight" '
        'cfgobj="" cfgattr="failed-connection[low->medium]"'
    )
    assert event["event"]["category"] == ["configuration"]
    vendor = event["fortinet"]["firewall"]
    assert vendor["cfgpath"] == "log.threat-weight"
    assert vendor["cfgattr"] == "failed-connection[low->medium]"
    assert vendor["cfgtid"] == "2162733" and "cfgobj" not in vendor
    assert event["source"]["ip"] == "10.1.1.5" and event["user"]["name"] == "admin"
