"""Shared corpora for the accuracy tests: EVTX read by the collectors' own reader and parser,
SigmaHQ rule files found by id."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from collectors.base import DeadLetter, RawRecord, source_key
from collectors.dispatch import parse_record
from collectors.registry import build_source_types
from soc.config import IngestSettings

_ID = re.compile(r"^id:\s*['\"]?([0-9a-fA-F-]{36})", re.MULTILINE)
WINDOWS_TREES = ("rules/windows", "rules-emerging-threats", "rules-threat-hunting/windows")


def read_evtx(path: Path) -> list[dict[str, Any]]:
    """Events of an .evtx as the pipeline would store them (records it rejects are dropped)."""
    source_type = build_source_types(IngestSettings())["evtx"]
    out: list[dict[str, Any]] = []
    with path.open("rb") as stream:
        for item in source_type.reader.read(stream, source_key(path)):
            if isinstance(item, RawRecord):
                parsed = parse_record(source_type.parsers, item, source_type.name, 1024)
                if not isinstance(parsed, DeadLetter):
                    out.extend(parsed)
    return out


@lru_cache(maxsize=4)
def rules_by_id(root: Path, trees: Iterable[str] = WINDOWS_TREES) -> dict[str, Path]:
    """SigmaHQ rule id → file, read with a regex (no YAML parse: thousands of files)."""
    out: dict[str, Path] = {}
    for tree in trees:
        for path in sorted((root / tree).rglob("*.yml")):
            match = _ID.search(path.read_text(encoding="utf-8", errors="replace"))
            if match:
                out.setdefault(match.group(1).lower(), path)
    return out
