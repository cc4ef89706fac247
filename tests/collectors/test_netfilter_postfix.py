"""iptables/nftables and Postfix lines routed from syslog (positive and negative)."""

from __future__ import annotations

from tests.collectors.syslog_helpers import parse_syslog


def test_iptables_drop() -> None:
    event = parse_syslog(
        "Mar  1 10:00:00 gw kernel: [12345.678901] [UFW BLOCK] IN=eth0 OUT= MAC=00:11 "
        "SRC=198.51.100.7 DST=10.0.0.2 LEN=60 TOS=0x00 PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 SYN"
    )
    assert event["event"]["dataset"] == "netfilter.log"
    assert event["event"]["type"] == ["connection", "denied"]
    assert event["source"] == {"ip": "198.51.100.7", "port": 40000}
    assert event["destination"] == {"ip": "10.0.0.2", "port": 22}
    assert event["network"]["transport"] == "tcp"
    assert event["rule"]["name"] == "UFW BLOCK"
    assert event["observer"]["ingress"]["interface"]["name"] == "eth0"


def test_nftables_accept_prefix() -> None:
    event = parse_syslog(
        "Mar  1 10:00:00 gw kernel: nft-accept: IN=ens3 OUT=ens4 SRC=10.0.0.5 DST=8.8.8.8 "
        "LEN=84 PROTO=ICMP TYPE=8 CODE=0"
    )
    assert event["event"]["type"] == ["connection", "allowed"]
    assert event["network"]["transport"] == "icmp" and "port" not in event["source"]


def test_other_kernel_messages_stay_generic() -> None:
    event = parse_syslog("Mar  1 10:00:00 gw kernel: usb 1-1: new high-speed USB device")
    assert event["event"]["dataset"] == "syslog"


def test_postfix_sasl_failure() -> None:
    event = parse_syslog(
        "Mar  1 10:00:00 mail postfix/smtpd[123]: warning: unknown[203.0.113.9]: "
        "SASL LOGIN authentication failed: UGFzc3dvcmQ6"
    )
    assert event["event"]["dataset"] == "postfix.log"
    assert event["event"]["outcome"] == "failure"
    assert event["source"]["ip"] == "203.0.113.9"
    assert event["postfix"]["daemon"] == "smtpd"


def test_postfix_reject_and_delivery() -> None:
    reject = parse_syslog(
        "Mar  1 10:00:00 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
        "x.example[198.51.100.3]: "
        "554 5.7.1 <a@danang.gov.vn>: Relay access denied; from=<s@spam.example> "
        "to=<a@danang.gov.vn> proto=ESMTP helo=<x>"
    )
    assert reject["event"]["action"] == "reject" and reject["postfix"]["smtp_code"] == 554
    assert reject["email"]["from"]["address"] == ["s@spam.example"]
    assert reject["source"] == {"ip": "198.51.100.3", "domain": "x.example"}
    sent = parse_syslog(
        "Mar  1 10:00:01 mail postfix/smtp[2]: 4BCD1234EF: to=<b@example.org>, "
        "relay=mx.example.org[192.0.2.1]:25, delay=1, status=sent (250 ok)"
    )
    assert sent["event"]["outcome"] == "success" and sent["postfix"]["queue_id"] == "4BCD1234EF"
    login = parse_syslog(
        "Mar  1 10:00:02 mail postfix/smtpd[3]: 4BCD1234F0: client=pc[10.1.1.5], "
        "sasl_method=LOGIN, sasl_username=nguyenvana"
    )
    assert login["user"]["name"] == "nguyenvana" and login["event"]["outcome"] == "success"
