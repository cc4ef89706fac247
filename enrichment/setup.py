"""The enrichers of a deployment, built once from the inventory and the files in the home."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from enrichment.assets import enricher_from_state
from enrichment.base import EventEnricher
from enrichment.geo import GeoEnricher
from enrichment.indicator_feeds import load_feed
from enrichment.threat_intel import IndicatorIndex

FEED_SUFFIXES = (".csv", ".json")


def load_indicators(directory: Path) -> tuple[IndicatorIndex, list[str]]:
    """Every feed in ``directory`` (CSV, STIX 2.1 bundle, MISP JSON) into one index."""
    index = IndicatorIndex()
    problems: list[str] = []
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() in FEED_SUFFIXES:
                indicators, found = load_feed(path)
                problems.extend(found)
                for indicator in indicators:
                    index.add(indicator)
    return index, problems


def build_enrichers(home: Path, state: Any) -> list[EventEnricher]:
    """Inventory (state DB), internal/GeoIP (``<home>/geoip/*.mmdb``), threat intel
    (``<home>/intel/*.csv|json``), in that order. Feed problems are reported, not fatal."""
    geo = GeoEnricher(mmdb_paths=sorted((home / "geoip").glob("*.mmdb")))
    intel, problems = load_indicators(home / "intel")
    for problem in problems[:20]:
        print(f"soc: threat intel: {problem}", file=sys.stderr)
    return [enricher_from_state(state), geo, intel]
