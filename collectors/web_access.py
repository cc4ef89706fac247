"""Web server access logs (NCSA common/combined, nginx and Apache, optional response time) → ECS."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from collectors.addresses import client_ip
from collectors.base import Parser, RawRecord
from collectors.envelope import decode_text, new_event
from soc.ecs import Event, format_timestamp
from soc.errors import ParseError

# Quoted fields are unrolled (``[^"\\]*(?:\\.[^"\\]*)*``) rather than an alternation per
# character: the same matches, several times faster on long user agents.
_QUOTED = r'(?:[^"\\]*(?:\\.[^"\\]*)*)'
_ACCESS = re.compile(
    r"(?:(?P<vhost>[\w.-]+(?::\d+)?) (?=\S+ \S+ \S+ \[))?"
    r"(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]{10,40})\] "
    rf'"(?P<request>{_QUOTED})" (?P<status>\d{{3}}|-) (?P<bytes>\d+|-)'
    rf'(?: "(?P<referrer>{_QUOTED})" "(?P<agent>{_QUOTED})")?(?P<rest>.*)$'
)
_CLF_TIME = re.compile(r"(\d{1,2})/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"), 1)}  # fmt: skip
_DIGITS = frozenset("0123456789")
STAMPS_REMEMBERED = 4096
_minutes: dict[str, str] = {}  # "10/Oct/2000:13:55 -0700" → "2000-10-10T20:55:"
_RT_KEY = re.compile(r"\b(?:rt|request_time|urt|upstream_response_time)=([\d.]+)")
_TRAILING_NUMBER = re.compile(r"(?:^|\s)(\d+(?:\.\d+)?)\s*$")


def clf_time(text: str) -> datetime:
    """``10/Oct/2000:13:55:36 -0700`` without strptime (which is slow)."""
    m = _CLF_TIME.fullmatch(text.strip())
    if m is None or m.group(2) not in _MONTHS:
        raise ParseError(f"invalid access-log time {text[:40]!r}")
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    try:
        return datetime(
            int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss),
            tzinfo=timezone(offset),
        )  # fmt: skip
    except ValueError as e:
        raise ParseError(f"invalid access-log time {text[:40]!r}") from e


def clf_stamp(text: str) -> str:
    """``format_timestamp(clf_time(text))``; the canonical shape is cached per minute."""
    if (
        len(text) == 26
        and text[20] == " "
        and text[17] == ":"
        and text[2] == "/"
        and text[6] == "/"
        and text[21] in "+-"
        and text[18] in "012345"
        and text[19] in _DIGITS
    ):
        key = text[:17] + text[20:]
        minute = _minutes.get(key)
        if minute is None:
            minute = format_timestamp(clf_time(text))[:17]  # whole-minute offsets: same minute
            if len(_minutes) >= STAMPS_REMEMBERED:
                _minutes.clear()
            _minutes[key] = minute
        return f"{minute}{text[18:20]}.000000Z"
    return format_timestamp(clf_time(text))


def _client(event: Event, client: str) -> None:
    """``source.ip`` when the client is an address, else its name as address and domain."""
    address = client_ip(client) if client else None
    if address is None:
        event["source"] = {"address": client, "domain": client}
        return
    source = event.get("source")
    if isinstance(source, dict):
        source["ip"] = address
    else:
        event["source"] = {"ip": address}


def _request(event: Event, request: str) -> None:
    http: dict[str, Any] = event.setdefault("http", {})
    parts = request.split(" ")
    if len(parts) == 3 and parts[2].startswith("HTTP/"):
        method, target, version = parts
        http["version"] = version[5:]
    elif len(parts) == 2 and parts[0].isalpha():
        method, target = parts
    else:
        if request not in ("-", ""):
            event.setdefault("url", {})["original"] = request
            event.setdefault("tags", []).append("malformed_request")
        return
    http["request"] = {"method": method}
    path, _, query = target.partition("?")
    url: dict[str, Any] = {"original": target, "path": path}
    if query:
        url["query"] = query
    dot = path.rfind(".")
    if dot > path.rfind("/"):
        url["extension"] = path[dot + 1 :][:16].lower()
    event["url"] = url


def _response_time(event: Event, rest: str) -> None:
    """``rt=0.012`` or a trailing number: decimals are seconds (nginx), integers µs (Apache %D)."""
    keyed = _RT_KEY.search(rest)
    trailing = None if keyed else _TRAILING_NUMBER.search(rest)
    value = keyed.group(1) if keyed else trailing.group(1) if trailing else None
    if value is None:
        return
    try:
        number = float(value)
    except ValueError:
        return
    nanos = int(number * 1e9) if ("." in value or keyed) else int(number * 1e3)
    event["event"]["duration"] = nanos


def map_access(event: Event, m: re.Match[str]) -> None:
    """Fill an event from a matched access line (shared with the syslog-routed variant)."""
    vhost, client, _, user, time, request, status, size, referrer, agent, rest = m.groups()
    event["@timestamp"] = clf_stamp(time)
    _client(event, client)
    if user != "-" and user != "":
        event["user"] = {"name": user}
    _request(event, request.replace('\\"', '"') if "\\" in request else request)
    http = event.setdefault("http", {})
    response: dict[str, Any] = {}
    if status != "-":
        code = int(status)
        response["status_code"] = code
        event["event"]["outcome"] = "success" if code < 400 else "failure"
    if size != "-":
        response["body"] = {"bytes": int(size)}
    if response:
        http["response"] = response
    if referrer and referrer != "-":
        http.setdefault("request", {})["referrer"] = referrer
    if agent and agent != "-":
        event["user_agent"] = {"original": agent}
    if vhost:
        event.setdefault("url", {})["domain"] = vhost.rsplit(":", 1)[0]
    if rest:
        _response_time(event, rest)
    fields = event["event"]
    fields["category"] = ["web"]
    fields["type"] = ["access"]


def match_access(text: str) -> re.Match[str] | None:
    return _ACCESS.match(text)


class WebAccessParser(Parser):
    """One access-log line → one ``web``/``access`` event with method, path, status and bytes."""

    NAME = "web-access"
    DATASET = "web.access"

    def __init__(self, dataset: str = DATASET, module: str = "web") -> None:
        self.dataset = dataset
        self.module = module

    def matches(self, record: RawRecord) -> bool:
        return b'] "' in record.data[:400]

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text = decode_text(record)
        m = _ACCESS.match(text)
        if m is None:
            raise ParseError("not an access-log line (common/combined format expected)")
        event = new_event(record, dataset=self.dataset, module=self.module, original=text)
        map_access(event, m)
        return [event]
