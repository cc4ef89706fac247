"""Cisco ASA messages: the common ids land in source/destination/action; others stay generic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc.ecs import get_field
from tests.collectors.syslog_helpers import parse_syslog


def test_deny_is_fully_specified() -> None:
    event = parse_syslog(
        "<163>Jan 12 2026 10:00:00 asa-dc01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/4431 "
        'dst inside:10.10.1.20/3389 by access-group "outside_in" [0x0, 0x0]'
    )
    assert event["event"]["dataset"] == "cisco.asa"
    assert event["event"]["code"] == "106023"
    assert event["event"]["severity"] == 4
    assert event["event"]["action"] == "connection-denied"
    assert event["event"]["type"] == ["denied"] and event["event"]["outcome"] == "failure"
    assert event["source"] == {"address": "203.0.113.5", "ip": "203.0.113.5", "port": 4431}
    assert event["destination"] == {"address": "10.10.1.20", "ip": "10.10.1.20", "port": 3389}
    assert event["network"]["transport"] == "tcp"
    assert event["rule"]["name"] == "outside_in"
    assert event["observer"]["ingress"]["interface"]["name"] == "outside"
    assert event["observer"]["hostname"] == "asa-dc01"
    assert event["@timestamp"] == "2026-01-12T10:00:00.000000Z"


def test_built_outbound_puts_the_inside_host_as_source() -> None:
    event = parse_syslog(
        "%ASA-6-302013: Built outbound TCP connection 9 for outside:198.51.100.1/443 "
        "(198.51.100.1/443) to inside:10.1.1.2/53496 (10.1.1.2/53496)"
    )
    assert event["source"]["ip"] == "10.1.1.2" and event["destination"]["port"] == 443
    assert event["event"]["action"] == "connection-built"


@pytest.mark.parametrize(
    ("line", "outcome", "user"),
    [
        (
            "%ASA-6-605004: Login denied from 192.168.2.10/32597 to outside:192.168.2.14/ssh "
            'for user "root"',
            "failure",
            "root",
        ),
        (
            "%ASA-6-113005: AAA user authentication Rejected: reason = x: server = 1.2.3.4, "
            "User = bob: user IP = 10.0.0.9",
            "failure",
            "bob",
        ),
        ("%ASA-5-502103: User priv level changed: Uname: adm2 From: 1 To: 15", "success", "adm2"),
    ],
)
def test_authentication_and_privilege_ids(line: str, outcome: str, user: str) -> None:
    event = parse_syslog(line)
    assert event["event"]["outcome"] == outcome
    assert event["user"]["name"] == user


def test_unknown_id_keeps_code_without_meaning() -> None:
    event = parse_syslog("%ASA-2-747011: Memory allocation Error")
    assert event["event"]["code"] == "747011" and "action" not in event["event"]
    assert event["message"] == "Memory allocation Error"


def test_non_asa_percent_message_is_not_claimed() -> None:
    assert parse_syslog("%SYS-5-CONFIG_I: Configured from console")["event"]["dataset"] == "syslog"


def test_wazuh_asa_corpus(datasets: Path) -> None:
    cases = json.loads((datasets / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    events = [parse_syslog(log["line"]) for case in cases["cisco_asa"] for log in case["logs"]]
    assert len(events) == 88 and all(e["event"]["dataset"] == "cisco.asa" for e in events)
    assert all(e["event"]["code"].isdigit() for e in events)
    denies = [e for e in events if get_field(e, "event.action") == "connection-denied"]
    assert len(denies) >= 20
    assert all(get_field(e, "source.address") for e in denies if "src" in e["message"])
    with_both = [e for e in events if get_field(e, "source.ip") and get_field(e, "destination.ip")]
    assert len(with_both) >= 35


@pytest.mark.parametrize(
    ("message", "action", "user", "source_ip"),
    [
        (
            "%ASA-6-113004: AAA user authentication Successful : server =  10.10.0.5 : "
            "user = admin",
            "aaa-authentication", "admin", None,
        ),
        (
            "%ASA-6-113015: AAA user authentication Rejected : reason = AAA failure : "
            "server = 10.10.0.5 : user = admin : user IP = 198.51.100.23",
            "aaa-authentication", "admin", "198.51.100.23",
        ),
        (
            "%ASA-4-113039: Group <VPN-SOC> User <nguyenvana> IP <203.0.113.77> AnyConnect "
            "parent session started.",
            "vpn-session-started", "nguyenvana", "203.0.113.77",
        ),
        (
            "%ASA-6-716001: Group <VPN-SOC> User <nguyenvana> IP <203.0.113.77> WebVPN session "
            "started.",
            "vpn-session-started", "nguyenvana", "203.0.113.77",
        ),
        (
            "%ASA-5-722051: Group <VPN-SOC> User <nguyenvana> IP <203.0.113.77> IPv4 Address "
            "<10.8.0.2> IPv6 address <::> assigned to session",
            "vpn-address-assigned", "nguyenvana", "203.0.113.77",
        ),
    ],
)  # fmt: skip
def test_authentication_and_vpn_sessions_name_the_user_and_the_address(
    message: str, action: str, user: str, source_ip: str | None
) -> None:
    event = parse_syslog(message)
    assert event["event"]["action"] == action
    assert get_field(event, "user.name") == user  # never the word "authentication"
    assert get_field(event, "source.ip") == source_ip
