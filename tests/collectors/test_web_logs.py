"""Web access and error logs: combined/common formats, response time, the 10,000-line corpus."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors import web_access
from collectors.base import RawRecord
from collectors.dispatch import parse_record
from collectors.registry import SourceType
from collectors.web_access import WebAccessParser
from collectors.web_error import WebErrorParser
from soc.ecs import format_timestamp, get_field
from soc.errors import ParseError
from tests.collectors.conftest import record
from tests.collectors.syslog_helpers import parse_syslog


def access(line: str) -> dict[str, Any]:
    (event,) = WebAccessParser().parse(record(line))
    return event


def test_combined_line_is_fully_specified() -> None:
    event = access(
        '203.0.113.7 - alice [17/May/2026:10:05:03 +0700] "GET /dvc/thu-tuc.php?id=5 HTTP/1.1" '
        '404 1024 "https://dichvucong.danang.gov.vn/" "Mozilla/5.0 (X11)"'
    )
    assert event["@timestamp"] == "2026-05-17T03:05:03.000000Z"
    assert event["event"]["dataset"] == "web.access"
    assert event["event"]["category"] == ["web"] and event["event"]["type"] == ["access"]
    assert event["event"]["outcome"] == "failure"
    assert event["source"] == {"ip": "203.0.113.7"}
    assert event["user"] == {"name": "alice"}
    assert event["http"] == {
        "version": "1.1",
        "request": {"method": "GET", "referrer": "https://dichvucong.danang.gov.vn/"},
        "response": {"status_code": 404, "body": {"bytes": 1024}},
    }
    assert event["url"] == {
        "original": "/dvc/thu-tuc.php?id=5",
        "path": "/dvc/thu-tuc.php",
        "query": "id=5",
        "extension": "php",
    }
    assert event["user_agent"] == {"original": "Mozilla/5.0 (X11)"}


@pytest.mark.parametrize(
    ("suffix", "nanos"),
    [
        (" 0.123", 123_000_000),
        (" rt=0.050 uct=0.001", 50_000_000),
        (" 2500", 2_500_000),
        ("", None),
    ],
)
def test_response_time(suffix: str, nanos: int | None) -> None:
    line = f'10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"{suffix}'
    assert access(line)["event"].get("duration") == nanos


def test_common_format_and_vhost_prefix() -> None:
    common = access('10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "POST /login HTTP/1.0" 302 -')
    assert common["http"]["response"] == {"status_code": 302}
    assert "user_agent" not in common
    vhost = access(
        'portal.danang.gov.vn:443 10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1'
    )
    assert vhost["url"]["domain"] == "portal.danang.gov.vn" and vhost["source"]["ip"] == "10.0.0.1"


def test_malformed_request_is_kept_and_tagged() -> None:
    event = access('10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"')
    assert (
        event["tags"] == ["malformed_request"] and event["http"]["response"]["status_code"] == 400
    )


@pytest.mark.parametrize(
    "line",
    [
        "not an access line",
        '10.0.0.1 - - [99/Foo/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5',
        '10.0.0.1 - - [31/Feb/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5',
    ],
)
def test_access_refusals(line: str) -> None:
    with pytest.raises(ParseError):
        access(line)


def test_apache_and_nginx_error_lines() -> None:
    parser = WebErrorParser()
    (apache,) = parser.parse(
        record(
            "[Tue Sep 30 11:30:13.262255 2014] [core:error] [pid 20101] "
            "[client 99.47.227.95:34567] AH00037: Symbolic link not allowed"
        )
    )
    assert apache["@timestamp"] == "2014-09-30T11:30:13.262255Z"
    assert apache["source"] == {"ip": "99.47.227.95", "port": 34567}
    assert apache["error"]["code"] == "AH00037" and apache["log"]["level"] == "error"
    (nginx,) = parser.parse(
        record(
            '2015/01/08 11:31:23 [error] 80#0: *1 open() "/x" failed (2: No such file), '
            'client: 10.0.0.9, server: portal, request: "GET /x HTTP/1.1", host: "a.gov.vn"'
        )
    )
    assert nginx["source"]["ip"] == "10.0.0.9" and nginx["url"]["domain"] == "a.gov.vn"
    assert nginx["http"]["request"]["method"] == "GET"
    assert nginx["message"] == 'open() "/x" failed (2: No such file)'


def test_web_access_source_type_routes_access_and_error(
    source_types: dict[str, SourceType],
) -> None:
    kind = source_types["nginx-access"]
    ok = parse_record(kind.parsers, record(b"2015/01/08 11:31:23 [warn] 1#0: hi"), kind.name, 99)
    assert isinstance(ok, list) and ok[0]["event"]["dataset"] == "nginx.error"


def test_nginx_access_forwarded_by_syslog() -> None:
    event = parse_syslog(
        "Jan 11 10:13:05 web01 nginx: ::ffff:202.194.15.192 190.7.138.180 - [18/Oct/2010:10:48:55 "
        '-0500] "GET /phpmyadmin/ HTTP/1.1" 404 345 "-" "Mozilla/4.0"'
    )
    assert event["event"]["dataset"] == "nginx.access"
    assert event["source"]["ip"] == "202.194.15.192"
    assert event["url"]["path"] == "/phpmyadmin/"


def test_apache_corpus_parses_at_least_999_per_mille(datasets: Path) -> None:
    path = datasets / "weblogs-authlogs-dev" / "elastic-examples" / "apache_logs"
    parser = WebAccessParser()
    good = 0
    lines = path.read_bytes().splitlines()
    for offset, line in enumerate(lines):
        try:
            (event,) = parser.parse(RawRecord(line, str(path), offset))
        except ParseError:
            continue
        fields = ("http.request.method", "url.path", "http.response.status_code", "source.ip")
        if all(get_field(event, f) is not None for f in fields):
            good += 1
    assert len(lines) == 10_000
    assert good / len(lines) >= 0.999
    agents = sum(1 for line in lines if not line.endswith(b'"-"'))
    assert agents > 9_700


def test_wazuh_web_error_lines(datasets: Path) -> None:
    cases = json.loads((datasets / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    parser = WebErrorParser()
    for name in ("apache", "nginx"):
        for case in cases[name]:
            for log in case["logs"]:
                (event,) = parser.parse(record(log["line"]))
                assert event["log"]["level"], log["line"]


# The access pattern as first written (an alternation per quoted character): the unrolled one
# in collectors.web_access must find exactly the same fields.
_ALTERNATION = re.compile(
    r"(?:(?P<vhost>[\w.-]+(?::\d+)?) (?=\S+ \S+ \S+ \[))?"
    r"(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]{10,40})\] "
    r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?P<referrer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?(?P<rest>.*)$'
)
QUOTED_PIECES = st.lists(st.sampled_from(['"', "\\", '\\"', " ", "a", "GET /", "-", "]"]))


@given(QUOTED_PIECES, QUOTED_PIECES, QUOTED_PIECES, st.sampled_from(["", " 0.5", ' "x']))
def test_unrolled_access_pattern_matches_like_the_alternation(
    request: list[str], referrer: list[str], agent: list[str], tail: str
) -> None:
    line = (
        f'1.2.3.4 - - [17/May/2015:10:05:03 +0000] "{"".join(request)}" 200 5 '
        f'"{"".join(referrer)}" "{"".join(agent)}"{tail}'
    )
    ours, theirs = web_access.match_access(line), _ALTERNATION.match(line)
    assert (ours and ours.groupdict()) == (theirs and theirs.groupdict())


@given(
    st.integers(1, 31), st.sampled_from(["Jan", "Feb", "May", "Dec", "Foo"]),
    st.integers(1970, 2100), st.integers(0, 25), st.integers(0, 61), st.integers(0, 61),
    st.sampled_from(["+0000", "-0700", "+0530", "+1400", "+2500", "-1259"]),
)  # fmt: skip
def test_cached_access_time_matches_the_generic_one(
    day: int, month: str, year: int, hour: int, minute: int, second: int, zone: str
) -> None:
    text = f"{day:02d}/{month}/{year}:{hour:02d}:{minute:02d}:{second:02d} {zone}"

    def outcome(read: Callable[[], str]) -> str:
        try:
            return read()
        except ParseError as e:
            return e.message

    expected = outcome(lambda: format_timestamp(web_access.clf_time(text)))
    assert outcome(lambda: web_access.clf_stamp(text)) == expected
    assert outcome(lambda: web_access.clf_stamp(text)) == expected
