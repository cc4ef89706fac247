"""Logsource → dataset routing and the field-name mappings, read from ``logsources.yml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from soc.errors import ContentError

ROUTES_FILE = Path(__file__).with_name("logsources.yml")
ANY = "*"
_KEYS = ("product", "category", "service")
# ECS fields without a dot: never renamed or prefixed.
ECS_TOP_LEVEL = frozenset({"message", "tags", "labels", "@timestamp"})


@dataclass(frozen=True)
class FieldMap:
    """Sigma field name → ECS path for one family of log sources."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""

    def ecs(self, sigma_field: str) -> str:
        if "." in sigma_field or sigma_field in ECS_TOP_LEVEL:
            return sigma_field
        mapped = self.names.get(sigma_field)
        if mapped is not None:
            return mapped
        return f"{self.prefix}{sigma_field}" if self.prefix else sigma_field


@dataclass(frozen=True)
class Route:
    """One entry of the table: which logsources it takes, where their rules look."""

    logsource: Mapping[str, tuple[str, ...] | str]
    datasets: tuple[str, ...]
    mapping: str

    def matches(self, logsource: Mapping[str, str | None]) -> bool:
        for key in _KEYS:
            want = self.logsource.get(key)
            have = (logsource.get(key) or "").lower() or None
            if want is None:
                if have is not None:
                    return False
            elif want == ANY:
                continue
            elif have is None or have not in (want if isinstance(want, tuple) else (want,)):
                return False
        return True

    def datasets_for(self, logsource: Mapping[str, str | None]) -> tuple[str, ...]:
        service = logsource.get("service") or ""
        return tuple(d.replace("{service}", service.lower()) for d in self.datasets)

    @property
    def windows(self) -> bool:
        return self.mapping == "windows"


@dataclass(frozen=True)
class RoutingTable:
    routes: tuple[Route, ...]
    mappings: Mapping[str, FieldMap]
    digest: str

    def route(self, logsource: Mapping[str, str | None]) -> Route | None:
        return next((r for r in self.routes if r.matches(logsource)), None)

    def field_map(self, name: str) -> FieldMap:
        return self.mappings.get(name) or FieldMap(name)


def _route(entry: Any, mappings: Mapping[str, FieldMap], where: str) -> Route:
    if not isinstance(entry, dict) or not isinstance(entry.get("logsource"), dict):
        raise ContentError("route needs a logsource mapping", source=where)
    logsource: dict[str, tuple[str, ...] | str] = {}
    for key, value in entry["logsource"].items():
        if key not in _KEYS:
            raise ContentError(f"unknown logsource key {key!r}", source=where, hint=str(_KEYS))
        values = value if isinstance(value, list) else [value]
        logsource[key] = ANY if value == ANY else tuple(str(v).lower() for v in values)
    datasets = entry.get("datasets")
    if not isinstance(datasets, list) or not datasets:
        raise ContentError("route needs a non-empty datasets list", source=where)
    mapping = str(entry.get("mapping", "ecs"))
    if mapping != "windows" and mapping not in mappings:
        raise ContentError(f"route names unknown mapping {mapping!r}", source=where)
    return Route(logsource, tuple(str(d) for d in datasets), mapping)


def parse_routing(text: str, source: str = str(ROUTES_FILE)) -> RoutingTable:
    """Validate the YAML table; every problem is a ContentError naming the file."""
    import hashlib

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ContentError(f"not valid YAML: {e}", source=source) from e
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise ContentError("expected a mapping with version: 1", source=source)
    mappings: dict[str, FieldMap] = {}
    for name, names in (doc.get("mappings") or {}).items():
        names = dict(names or {})
        prefix = str(names.pop("prefix", ""))
        mappings[name] = FieldMap(name, {str(k): str(v) for k, v in names.items()}, prefix)
    routes = tuple(
        _route(entry, mappings, f"{source} (route {i + 1})")
        for i, entry in enumerate(doc.get("routes") or [])
    )
    digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    return RoutingTable(routes, mappings, digest)


@lru_cache(maxsize=1)
def default_routing() -> RoutingTable:
    return parse_routing(ROUTES_FILE.read_text(encoding="utf-8"))


def dataset_matches(pattern: str, dataset: str) -> bool:
    """``windows.*`` covers ``windows.sysmon``; anything else must be equal."""
    if pattern.endswith(".*"):
        return dataset.startswith(pattern[:-1])
    return pattern == dataset
