"""The explicit registry of source types: how input is split into records, which parsers read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, tzinfo

from collectors.base import Parser, Reader
from collectors.cisco_asa import CiscoAsaParser
from collectors.ecs_json import EcsJsonParser
from collectors.egov_audit import EgovAuditParser
from collectors.evtx_reader import EvtxReader
from collectors.fortigate import FortiGateParser
from collectors.linux_auth import LinuxAuthParser
from collectors.netfilter import NetfilterParser
from collectors.pcap import PacketMetadataParser, PcapReader
from collectors.postfix import PostfixParser
from collectors.readers import LineReader
from collectors.suricata_eve import SuricataEveParser
from collectors.syslog import SyslogParser
from collectors.syslog_routing import ProgramParser
from collectors.web_access import WebAccessParser
from collectors.web_error import WebErrorParser
from collectors.web_syslog import WebSyslogParser
from collectors.windows_json import WindowsJsonParser
from soc.config import IngestSettings
from soc.errors import ConfigError


@dataclass(frozen=True)
class SourceType:
    """A named input format: its reader and the parsers tried in order (first match parses)."""

    name: str
    reader: Reader
    parsers: tuple[Parser, ...]
    keep_bytes: int = 65_536  # raw bytes kept in a dead letter


def build_program_parsers() -> tuple[ProgramParser, ...]:
    """Parsers a syslog message is routed to, in the order they are asked to claim it."""
    parsers: tuple[ProgramParser, ...] = (
        LinuxAuthParser(),
        CiscoAsaParser(),
        FortiGateParser(),
        NetfilterParser(),
        WebSyslogParser(),
        PostfixParser(),
    )
    _unique(p.NAME for p in parsers)
    return parsers


def build_source_types(ingest: IngestSettings, *, local_tz: tzinfo = UTC) -> dict[str, SourceType]:
    """Every source type keyed by NAME; ``local_tz`` is the time zone of RFC 3164 senders."""

    def lines(name: str) -> LineReader:
        return LineReader(ingest.max_record_bytes, ingest.dead_letter_keep_bytes, source_type=name)

    keep = ingest.dead_letter_keep_bytes
    syslog = SyslogParser(build_program_parsers(), local_tz=local_tz)
    types = (
        SourceType("suricata-eve", lines("suricata-eve"), (SuricataEveParser(),), keep),
        SourceType("syslog", lines("syslog"), (syslog,), keep),
        _web("web-access", "web", lines("web-access"), local_tz, keep),
        _web("nginx-access", "nginx", lines("nginx-access"), local_tz, keep),
        _web("apache-access", "apache", lines("apache-access"), local_tz, keep),
        SourceType("windows-json", lines("windows-json"), (WindowsJsonParser(),), keep),
        SourceType("evtx", EvtxReader(ingest.max_record_bytes), (WindowsJsonParser(),), keep),
        SourceType("egov-json", lines("egov-json"), (EgovAuditParser(),), keep),
        SourceType("ecs-json", lines("ecs-json"), (EcsJsonParser(),), keep),
        SourceType("pcap", PcapReader(), (PacketMetadataParser(),), keep),
    )
    _unique(t.name for t in types)
    return {t.name: t for t in types}


def _web(name: str, server: str, reader: Reader, tz: tzinfo, keep: int) -> SourceType:
    """Access lines first, error-log lines second; the server name becomes the dataset prefix."""
    access = WebAccessParser(f"{server}.access", module=server)
    error = WebErrorParser(local_tz=tz, dataset=f"{server}.error")
    return SourceType(name, reader, (access, error), keep)


def senders_timezone(ingest: IngestSettings, fallback: str) -> tzinfo:
    """The zone of RFC 3164 senders (their stamps carry none): ``ingest.syslog_timezone``, else
    ``fallback`` (the console's zone)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = ingest.syslog_timezone or fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        key = "ingest.syslog_timezone" if ingest.syslog_timezone else "console.timezone"
        raise ConfigError(
            f"unknown time zone {name!r}", hint=f"set {key} to an IANA name (Asia/Ho_Chi_Minh)"
        ) from e


def source_type(types: dict[str, SourceType], name: str) -> SourceType:
    """Look a source type up, or explain which ones exist."""
    try:
        return types[name]
    except KeyError:
        known = ", ".join(sorted(types))
        raise ConfigError(f"unknown source type {name!r}", hint=f"use one of: {known}") from None


def _unique(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"duplicate registration of {name!r}")
        seen.add(name)
