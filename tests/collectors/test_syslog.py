"""Syslog framing and headers (RFC 3164, RFC 5424, file variants) and program routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.registry import build_program_parsers
from collectors.syslog import SyslogParser
from collectors.syslog_header import parse_header
from soc.errors import ParseError
from tests.collectors.conftest import RECEIVED, record

ICT = timezone(timedelta(hours=7))


def parse(line: str | bytes, tz: timezone = UTC) -> dict:
    parser = SyslogParser(build_program_parsers(), local_tz=tz)
    (event,) = parser.parse(record(line))
    return event


def test_rfc3164_with_priority_is_fully_specified() -> None:
    event = parse("<38>Feb  9 11:44:56 someserver myapp[1234]: something happened", tz=ICT)
    assert event["@timestamp"] == "2026-02-09T04:44:56.000000Z"
    assert event["event"]["dataset"] == "syslog"
    assert event["event"]["module"] == "syslog"
    assert event["log"]["syslog"] == {
        "priority": 38,
        "facility": {"code": 4, "name": "auth"},
        "severity": {"code": 6, "name": "info"},
        "hostname": "someserver",
        "appname": "myapp",
        "procid": "1234",
    }
    assert event["host"]["hostname"] == "someserver"
    assert event["process"] == {"name": "myapp", "pid": 1234}
    assert event["message"] == "something happened"
    assert event["event"]["original"].startswith("<38>Feb")


def test_rfc5424_with_structured_data() -> None:
    line = (
        "<165>1 2026-02-28T22:14:15.003Z mymachine.danang.gov.vn evntslog - ID47 "
        '[exampleSDID@32473 iut="3" eventSource="App\\"x\\"" eventID="1011"] '
        "\ufeffAn application event"
    )
    event = parse(line)
    assert event["@timestamp"] == "2026-02-28T22:14:15.003000Z"
    syslog = event["log"]["syslog"]
    assert syslog["version"] == "1" and syslog["msgid"] == "ID47"
    assert syslog["appname"] == "evntslog" and "procid" not in syslog
    assert syslog["structured_data"]["exampleSDID@32473"] == {
        "iut": "3",
        "eventSource": 'App"x"',
        "eventID": "1011",
    }
    assert event["message"] == "An application event"


def test_rfc5424_nil_values_and_no_message() -> None:
    event = parse("<13>1 - - - - - -")
    assert event["@timestamp"] == "2026-03-01T12:00:00.000000Z"  # time received
    assert event["message"] == ""


def test_year_rolls_back_for_december_lines_read_in_january() -> None:
    header = parse_header("Dec 31 23:59:59 h p: m", datetime(2026, 1, 1, 0, 5, tzinfo=UTC), UTC)
    assert header.timestamp == datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "host", "program", "message"),
    [
        (
            "2015 Nov 13 13:40:01 ether rsyslogd-2177: imuxsock begins",
            "ether",
            "rsyslogd-2177",
            "imuxsock begins",
        ),
        ("2026-01-02T03:04:05.123456+07:00 web01 nginx: GET /", "web01", "nginx", "GET /"),
        (
            "Jul 18 09:21:57 localhost kernel: nouveau E[  PGRAPH]",
            "localhost",
            "kernel",
            "nouveau E[  PGRAPH]",
        ),
        (
            "<166>Jan 12 2026 10:00:00 asa01 : %ASA-6-302013: Built",
            "asa01",
            None,
            "%ASA-6-302013: Built",
        ),
        (
            "%ASA-2-106001: Inbound TCP connection denied",
            None,
            None,
            "%ASA-2-106001: Inbound TCP connection denied",
        ),
        (
            "date=2016-06-15 time=10:42:31 devname=x",
            None,
            None,
            "date=2016-06-15 time=10:42:31 devname=x",
        ),
        (
            "error: not a tag without a timestamp",
            None,
            None,
            "error: not a tag without a timestamp",
        ),
        ("Apr 27 15:22:23 niban su(pam_unix)[23164]: auth", "niban", "su", "auth"),
    ],
)
def test_header_variants(line: str, host: str | None, program: str | None, message: str) -> None:
    header = parse_header(line, RECEIVED, UTC)
    assert (header.hostname, header.appname, header.message) == (host, program, message)


def test_unknown_program_stays_a_valid_generic_event() -> None:
    event = parse("Mar  1 10:00:00 box frobnicator[9]: all good")
    assert event["event"]["dataset"] == "syslog"
    assert "outcome" not in event["event"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"bad \xff\xfe utf8", "invalid UTF-8"), (b"a\x00b", "NUL byte"), (b"   ", "empty")],
)
def test_refusals(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse(data)
