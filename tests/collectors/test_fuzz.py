"""Property tests: malformed, truncated, binary, invalid UTF-8 and oversized input never makes a
parser or reader raise anything but a refusal (ParseError → dead letter)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.base import DeadLetter, Parser, RawRecord
from collectors.evtx_reader import EvtxReader
from collectors.readers import LineReader
from collectors.registry import build_source_types
from soc.config import IngestSettings
from soc.errors import ParseError

TYPES = build_source_types(IngestSettings())
PARSERS: list[Parser] = [p for kind in TYPES.values() for p in kind.parsers]
SAMPLES = [
    b'{"timestamp":"2026-01-01T00:00:00Z","event_type":"alert","src_ip":"1.2.3.4",'
    b'"alert":{"signature_id":1,"signature":"x"},"http":{"url":"/"},"dns":{"type":"answer"}}',
    b'<34>1 2026-02-28T22:14:15.003Z host app - ID47 [x@1 a="b"] msg',
    b"Feb 10 23:21:05 web01 sshd[1]: Failed password for root from 1.2.3.4 port 2 ssh2",
    b'%ASA-4-106023: Deny tcp src outside:1.1.1.1/2 dst inside:2.2.2.2/3 by access-group "a"',
    b"date=2016-06-15 time=10:42:31 logid=1 type=traffic srcip=1.2.3.4 action=deny",
    b"Mar  1 10:00:00 gw kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2",
    b'1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.1',
    b"[Tue Sep 30 11:30:13.262255 2014] [core:error] [pid 1] [client 1.2.3.4:5] AH00037: x",
    b'{"Event":{"System":{"EventID":4625,"Channel":"Security","TimeCreated":'
    b'{"#attributes":{"SystemTime":"2026-01-01T00:00:00Z"}}},"EventData":{"IpAddress":"1.2.3.4"}}}',
    b'{"time":"2026-03-01T08:15:30+07:00","app":"portal","action":"login","outcome":"failure"}',
    b'{"@timestamp":"2026-01-01T00:00:00Z","source.ip":"1.2.3.4"}',
    b'{"type":"flow","start":1.0,"end":2.0,"src":"1.2.3.4","packets":[1,2],"bytes":[3,4]}',
    b"Mar  1 10:00:00 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 554 ",
]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
# Crashes found by hand once; kept so they stay fixed (each must be a clean refusal or events).
REGRESSIONS = [
    {"type": "flow", "start": 1, "packets": [1], "bytes": "x"},
    {"type": "dns", "time": 1e300, "questions": [1]},
    {"type": "flow", "start": 1, "end": "x", "packets": [1, 2], "bytes": [1, None]},
    {"timestamp": "9999-12-31T23:59:59-1400", "event_type": "x"},
    {"Event": {"System": {"EventID": 1, "TimeCreated": {"#attributes": {"SystemTime": 5}}}}},
    {"winlog": {"event_id": 1, "event_data": [1, 2]}},
    {"winlog": {"event_id": 1, "user": "x"}, "host": "str"},
    {"time": "2026-01-01T00:00:00Z", "app": "portal", "action": "login", "outcome": "success",
     "request": {"duration_ms": 1e308}},
    {"@timestamp": 5},
]  # fmt: skip


def mutations() -> st.SearchStrategy[bytes]:
    sample = st.sampled_from(SAMPLES)
    truncated = st.tuples(sample, st.integers(0, 300)).map(lambda t: t[0][: t[1]])
    spliced = st.tuples(sample, st.binary(max_size=40), st.integers(0, 200)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    structured = JSONISH.map(lambda v: json.dumps(v, default=str).encode())
    keyed = st.dictionaries(
        st.sampled_from(["timestamp", "event_type", "alert", "src_ip", "Event", "winlog", "time",
                         "app", "action", "outcome", "EventID", "Channel", "type", "start",
                         "@timestamp", "actor", "request", "http", "dns", "flow", "EventData"]),
        JSONISH, max_size=8,
    ).map(lambda d: json.dumps(d, default=str).encode())  # fmt: skip
    return st.binary(max_size=300) | truncated | spliced | structured | keyed


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.NAME)
@pytest.mark.parametrize("doc", REGRESSIONS)
def test_regressions(parser: Parser, doc: dict[str, Any]) -> None:
    check(parser, json.dumps(doc).encode())


def check(parser: Parser, data: bytes) -> None:
    record = RawRecord(data, "/fuzz", 0)
    try:
        if not parser.matches(record):
            return
        events = list(parser.parse(record))
    except ParseError:
        return
    for event in events:
        assert isinstance(event["event"]["id"], str)
        json.dumps(event, default=str)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.NAME)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutations())
def test_parsers_refuse_cleanly(parser: Parser, data: bytes) -> None:
    check(parser, data)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=3000), chunk=st.integers(1, 64), limit=st.integers(1024, 1100))
def test_line_reader_accounts_for_every_byte(data: bytes, chunk: int, limit: int) -> None:
    reader = LineReader(limit, 256, chunk_bytes=chunk)
    items = list(reader.read(io.BytesIO(data), "x"))
    expected = [line.rstrip(b"\r") for line in data.split(b"\n")]
    expected = [line for line in expected if line]
    assert len(items) == len(expected)
    for item, line in zip(items, expected, strict=True):
        if isinstance(item, DeadLetter):
            assert len(line) > limit
        else:
            assert item.data == line and data[item.offset : item.offset + len(line)] == line


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=5000))
def test_evtx_reader_on_garbage(data: bytes) -> None:
    items: list[Any] = list(EvtxReader().read(io.BytesIO(b"ElfFile\x00" + data), "x"))
    assert all(isinstance(i, DeadLetter | RawRecord) for i in items)
