"""Parsing one syslog line with every routed program parser, for the program-parser tests."""

from __future__ import annotations

from typing import Any

from collectors.registry import build_program_parsers
from collectors.syslog import SyslogParser
from tests.collectors.conftest import record


def parse_syslog(line: str) -> dict[str, Any]:
    (event,) = SyslogParser(build_program_parsers()).parse(record(line))
    return event
