"""The enrichers of a deployment, built once from the inventory, the ``[enrichment]`` settings and
the files in the home (``<home>/geoip/*.mmdb``, ``<home>/intel/*.csv|json``)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from enrichment.assets import enricher_from_state
from enrichment.base import EventEnricher
from enrichment.geo import GeoEnricher, internal_networks
from enrichment.indicator_feeds import load_feed
from enrichment.threat_intel import IndicatorIndex
from soc.config import EnrichmentSettings
from soc.errors import ConfigError

FEED_SUFFIXES = (".csv", ".json")
PROBLEMS_SHOWN = 20


def load_indicators(*places: Path) -> tuple[IndicatorIndex, list[str]]:
    """Every feed (CSV, STIX 2.1 bundle, MISP JSON) in the given files and directories."""
    index = IndicatorIndex()
    problems: list[str] = []
    for path in _feeds(places):
        indicators, found = load_feed(path)
        problems.extend(found)
        for indicator in indicators:
            index.add(indicator)
    return index, problems


def _feeds(places: Iterable[Path]) -> list[Path]:
    feeds: list[Path] = []
    for place in places:
        if place.is_dir():
            feeds.extend(p for p in sorted(place.iterdir()) if p.suffix.lower() in FEED_SUFFIXES)
        elif place.is_file():
            feeds.append(place)
    return feeds


def _existing(paths: Iterable[Path], key: str) -> list[Path]:
    """Configured paths, each of which must exist (the defaults in the home may be absent)."""
    found = [Path(p).expanduser() for p in paths]
    missing = [str(p) for p in found if not p.exists()]
    if missing:
        raise ConfigError(
            f"{key} not found: {', '.join(missing)}",
            hint=f"check enrichment.{key} in the configuration",
        )
    return found


def build_enrichers(
    home: Path, state: Any, settings: EnrichmentSettings | None = None
) -> list[EventEnricher]:
    """Inventory (state DB), internal ranges and GeoIP, threat intel, in that order.

    GeoIP databases: ``<home>/geoip/*.mmdb`` then ``settings.geoip_paths``; indicator feeds:
    ``<home>/intel/`` then ``settings.intel_paths`` (files or directories); internal ranges:
    RFC 1918, loopback, link-local, CGNAT and the MAN's block, plus ``settings.internal_ranges``.
    Feed problems are reported, not fatal; a configured path that does not exist is.
    """
    chosen = settings or EnrichmentSettings()
    databases = [
        *sorted((home / "geoip").glob("*.mmdb")),
        *_existing(chosen.geoip_paths, "geoip_paths"),
    ]
    geo = GeoEnricher(internal_networks(chosen.internal_ranges), mmdb_paths=databases)
    intel, problems = load_indicators(home / "intel", *_existing(chosen.intel_paths, "intel_paths"))
    for problem in problems[:PROBLEMS_SHOWN]:
        print(f"soc: threat intel: {problem}", file=sys.stderr)
    if len(problems) > PROBLEMS_SHOWN:
        print(f"soc: threat intel: … and {len(problems) - PROBLEMS_SHOWN} more", file=sys.stderr)
    return [enricher_from_state(state), geo, intel]
