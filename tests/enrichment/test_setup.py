"""The deployment's enrichers from the ``[enrichment]`` settings and the home's default folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrichment.geo import GeoEnricher
from enrichment.setup import build_enrichers
from enrichment.threat_intel import IndicatorIndex
from soc.config import EnrichmentSettings
from soc.errors import ConfigError
from soc.state.db import open_state


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "intel").mkdir()
    (tmp_path / "intel" / "home.csv").write_text("type,value\ndomain,evil.example\n")
    return tmp_path


def test_configured_feeds_and_ranges_join_the_home_defaults(home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "feeds"
    extra.mkdir()
    (extra / "partner.csv").write_text("type,value\nip,198.51.100.9\nsha256," + "a" * 64 + "\n")
    single = tmp_path / "one.csv"
    single.write_text("type,value\nurl,http://bad.example/x\n")
    settings = EnrichmentSettings(intel_paths=[extra, single], internal_ranges=["203.0.113.0/24"])
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    _, geo, intel = build_enrichers(home, state, settings)
    assert isinstance(geo, GeoEnricher) and isinstance(intel, IndicatorIndex)
    assert intel.count == 4
    assert geo.is_internal("203.0.113.7") and geo.is_internal("10.1.2.3")
    event = {"source": {"ip": "198.51.100.9"}, "destination": {"ip": "203.0.113.7"}}
    geo(event)
    intel(event)
    assert event["network"]["direction"] == "inbound"
    assert event["threat"]["enrichments"][0]["matched"]["field"] == "source.ip"
    state.close()


def test_without_settings_only_the_home_defaults(home: Path, tmp_path: Path) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    _, geo, intel = build_enrichers(home, state)
    assert isinstance(intel, IndicatorIndex) and intel.count == 1
    assert isinstance(geo, GeoEnricher) and not geo.is_internal("203.0.113.7")
    state.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (EnrichmentSettings(intel_paths=[Path("/nonexistent/feed.csv")]), "intel_paths not found"),
        (EnrichmentSettings(geoip_paths=[Path("/nonexistent/c.mmdb")]), "geoip_paths not found"),
        (EnrichmentSettings(internal_ranges=["not-a-network"]), "not a network"),
    ],
)
def test_configuration_mistakes_are_config_errors(
    settings: EnrichmentSettings, message: str, home: Path, tmp_path: Path
) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    with pytest.raises(ConfigError, match=message):
        build_enrichers(home, state, settings)
    state.close()
