"""Syslog lines (RFC 3164, RFC 5424, files) → generic ECS syslog events, routed by program."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, tzinfo
from typing import Any

from collectors.base import Parser, RawRecord
from collectors.envelope import decode_text, new_event
from collectors.syslog_header import FACILITIES, SEVERITIES, SyslogHeader, parse_header
from collectors.syslog_routing import ProgramParser
from collectors.timestamps import format_moment
from soc.ecs import Event
from soc.errors import ParseError


class SyslogParser(Parser):
    """Any text line is a valid syslog event; known programs add their dataset and fields."""

    NAME = "syslog"
    DATASET = "syslog"

    def __init__(self, programs: Sequence[ProgramParser] = (), *, local_tz: tzinfo = UTC) -> None:
        self.programs = tuple(programs)
        self.local_tz = local_tz

    def matches(self, record: RawRecord) -> bool:
        data = record.data  # bool(data.strip()) without copying the line
        return bool(data) and not data.isspace()

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text = decode_text(record).rstrip("\r\n")
        if not text or text.isspace():  # ``not text.strip()`` without copying the line
            raise ParseError("empty syslog message")
        header = parse_header(text, record.received_at, self.local_tz)
        stamp = header.stamp
        if stamp is None and header.timestamp is not None:
            stamp = format_moment(header.timestamp)
        event = new_event(
            record, dataset=self.DATASET, module="syslog", original=text, timestamp=stamp
        )
        _map_header(event, header)
        self._route(event, header)
        return [event]

    def _route(self, event: Event, header: SyslogHeader) -> None:
        appname, message = header.appname, header.message
        for program in self.programs:
            if not program.claims(appname, message):
                continue
            event["event"]["dataset"] = program.DATASET
            event["event"]["module"] = program.MODULE
            try:
                program.apply(event, header)
            except ParseError as e:
                event.setdefault("tags", []).append(f"_{program.NAME}_unparsed")
                event.setdefault("error", {})["message"] = e.message
            return


def _map_header(event: Event, header: SyslogHeader) -> None:
    syslog: dict[str, Any] = {}
    if header.priority is not None:
        _map_priority(event, syslog, header.priority)
    if header.version is not None:
        syslog["version"] = str(header.version)
    hostname, appname, procid = header.hostname, header.appname, header.procid
    if hostname:
        syslog["hostname"] = hostname
    if appname:
        syslog["appname"] = appname
    if procid:
        syslog["procid"] = procid
    if header.msgid:
        syslog["msgid"] = header.msgid
    if header.structured_data:
        syslog["structured_data"] = header.structured_data
    if syslog:
        event.setdefault("log", {})["syslog"] = syslog
    if hostname:
        event["host"] = {"hostname": hostname, "name": hostname}
    if appname:
        process: dict[str, Any] = {"name": appname}
        if procid and procid.isdigit():
            process["pid"] = int(procid)
        event["process"] = process
    event["message"] = header.message


def _map_priority(event: Event, syslog: dict[str, Any], priority: int) -> None:
    facility, severity = priority >> 3, priority & 7
    syslog["priority"] = priority
    syslog["facility"] = {"code": facility, "name": FACILITIES[facility]}
    syslog["severity"] = {"code": severity, "name": SEVERITIES[severity]}
    log = event.get("log")
    if log is None:
        event["log"] = log = {}
    log["level"] = SEVERITIES[severity]
