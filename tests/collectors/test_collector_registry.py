"""The registry: every parser module is registered, names are unique, lookups explain misses."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import collectors
from collectors.base import Parser
from collectors.registry import SourceType, build_program_parsers, senders_timezone, source_type
from collectors.syslog_routing import ProgramParser
from soc.config import IngestSettings
from soc.errors import ConfigError


def implementations(base: type) -> set[type]:
    found = set()
    for info in pkgutil.iter_modules(collectors.__path__):
        if info.name == "cli":
            continue
        module = importlib.import_module(f"collectors.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            mine = cls.__module__ == module.__name__ and not inspect.isabstract(cls)
            if mine and issubclass(cls, base) and cls is not base:
                found.add(cls)
    return found


def test_every_parser_is_registered(source_types: dict[str, SourceType]) -> None:
    registered = {type(p) for t in source_types.values() for p in t.parsers}
    assert implementations(Parser) - registered == set()


def test_every_program_parser_is_routed() -> None:
    assert implementations(ProgramParser) == {type(p) for p in build_program_parsers()}


def test_names_match_keys(source_types: dict[str, SourceType]) -> None:
    assert {"suricata-eve", "syslog"} <= set(source_types)
    for name, kind in source_types.items():
        assert kind.name == name


def test_unknown_source_type_lists_the_known_ones(source_types: dict[str, SourceType]) -> None:
    with pytest.raises(ConfigError, match="unknown source type") as info:
        source_type(source_types, "nope")
    assert "suricata-eve" in str(info.value)


def test_senders_timezone_prefers_the_syslog_setting() -> None:
    assert str(senders_timezone(IngestSettings(syslog_timezone="UTC"), "Asia/Ho_Chi_Minh")) == "UTC"
    assert str(senders_timezone(IngestSettings(), "Asia/Ho_Chi_Minh")) == "Asia/Ho_Chi_Minh"
    with pytest.raises(ConfigError, match="Mars/Olympus") as wrong:
        senders_timezone(IngestSettings(syslog_timezone="Mars/Olympus"), "UTC")
    assert "ingest.syslog_timezone" in (wrong.value.hint or "")
    with pytest.raises(ConfigError, match="Nowhere/Atlantis") as fallback:
        senders_timezone(IngestSettings(), "Nowhere/Atlantis")
    assert "console.timezone" in (fallback.value.hint or "")
