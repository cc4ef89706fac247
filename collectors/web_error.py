"""Web server error logs (Apache 2.2/2.4 and nginx) → ECS ``web.error`` events."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from collectors.base import Parser, RawRecord
from collectors.envelope import decode_text, new_event
from soc.ecs import Event, format_timestamp, set_field
from soc.errors import ParseError

_APACHE = re.compile(
    r"(?:\[(?P<time>\w{3} \w{3} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] )?"
    r"\[(?:(?P<module>[\w-]*):)?(?P<level>emerg|alert|crit|error|warn|notice|info|debug|trace\d)\]"
    r"(?: \[pid (?P<pid>\d+)(?::tid \d+)?\])?"
    r"(?: \[client (?P<client>[^\]]+)\])?\s*(?P<message>.*)$",
    re.S,
)
_NGINX = re.compile(
    r"(?P<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(?P<level>\w+)\] "
    r"(?:(?P<pid>\d+)#\d+: )?(?:\*\d+ )?(?P<message>.*)$",
    re.S,
)
_NGINX_CONTEXT = re.compile(r', (client|server|request|host|upstream|referrer): "?([^",]*)"?')
_AH_CODE = re.compile(r"^(AH\d{5}): ")
_CLIENT_PORT = re.compile(r"^(.*?)(?::(\d+))?$")


def _apache_time(text: str, tz: tzinfo) -> datetime | None:
    text = " ".join(text.split())
    for layout in ("%a %b %d %H:%M:%S.%f %Y", "%a %b %d %H:%M:%S %Y"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=tz)
        except ValueError:
            continue
    return None


def _client(event: Event, client: str) -> None:
    m = _CLIENT_PORT.match(client.strip())
    host, port = (m.group(1), m.group(2)) if m else (client, None)
    if host.count(":") > 1:  # IPv6 without brackets: the colon suffix was not a port
        host, port = client.strip(), None
    try:
        set_field(event, "source.ip", str(ipaddress.ip_address(host.strip("[]"))))
    except ValueError:
        set_field(event, "source.address", host)
        return
    if port:
        set_field(event, "source.port", int(port))


class WebErrorParser(Parser):
    """Apache ``[time] [level] [client …] message`` and nginx ``y/m/d time [level] …`` lines."""

    NAME = "web-error"
    DATASET = "web.error"

    def __init__(self, *, local_tz: tzinfo = UTC, dataset: str = DATASET) -> None:
        self.local_tz = local_tz
        self.dataset = dataset

    def matches(self, record: RawRecord) -> bool:
        head = record.data[:64]
        return head.startswith(b"[") or (head[4:5] == b"/" and head[:4].isdigit())

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text = decode_text(record)
        event = new_event(record, dataset=self.dataset, module="web", original=text)
        event["event"].update(category=["web"], type=["error"])
        if m := _APACHE.match(text):
            self._apache(event, m)
        elif m := _NGINX.match(text):
            self._nginx(event, m)
        else:
            raise ParseError("not an Apache or nginx error-log line")
        return [event]

    def _apache(self, event: Event, m: re.Match[str]) -> None:
        if m.group("time") and (moment := _apache_time(m.group("time"), self.local_tz)):
            event["@timestamp"] = format_timestamp(moment)
        set_field(event, "log.level", m.group("level"))
        if m.group("module"):
            set_field(event, "apache.error.module", m.group("module"))
        if m.group("pid"):
            set_field(event, "process.pid", int(m.group("pid")))
        if m.group("client"):
            _client(event, m.group("client"))
        message = m.group("message")
        if code := _AH_CODE.match(message):
            set_field(event, "error.code", code.group(1))
        event["message"] = message

    def _nginx(self, event: Event, m: re.Match[str]) -> None:
        try:
            moment = datetime.strptime(m.group("time"), "%Y/%m/%d %H:%M:%S")
        except ValueError as e:
            raise ParseError(f"invalid nginx error-log time {m.group('time')!r}") from e
        event["@timestamp"] = format_timestamp(moment.replace(tzinfo=self.local_tz))
        set_field(event, "log.level", m.group("level"))
        if m.group("pid"):
            set_field(event, "process.pid", int(m.group("pid")))
        message = m.group("message")
        for key, value in _NGINX_CONTEXT.findall(message):
            if key == "client":
                _client(event, value)
            elif key == "host":
                set_field(event, "url.domain", value)
            elif key == "request" and value.count(" ") == 2:
                method, target, _ = value.split(" ")
                set_field(event, "http.request.method", method)
                set_field(event, "url.original", target)
            elif key == "server":
                set_field(event, "nginx.error.server", value)
        event["message"] = message.split(", client: ", 1)[0]
