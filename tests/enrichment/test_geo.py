"""Internal/external labelling, network direction, and the optional GeoIP database."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrichment.geo import GeoEnricher, internal_networks
from soc.errors import ConfigError


@pytest.mark.parametrize(
    ("source", "destination", "direction"),
    [
        ("203.0.113.5", "10.0.0.1", "inbound"),
        ("2001:df2:9b00:1::5", "8.8.8.8", "outbound"),
        ("192.168.1.1", "2001:df2:9b00::1", "internal"),
        ("203.0.113.5", "198.51.100.1", "external"),
    ],
)
def test_direction_from_internal_ranges(source: str, destination: str, direction: str) -> None:
    event = {"source": {"ip": source}, "destination": {"ip": destination}}
    GeoEnricher()(event)
    assert event["network"]["direction"] == direction


def test_internal_addresses_are_labelled_and_external_left_alone_without_a_database() -> None:
    event = {"source": {"ip": "2001:df2:9b00::10"}, "destination": {"ip": "1.1.1.1"}}
    GeoEnricher()(event)
    assert event["source"]["geo"] == {"name": "internal"}
    assert "geo" not in event["destination"]


def test_extra_internal_ranges_and_bad_ones() -> None:
    geo = GeoEnricher(internal_networks(["203.0.113.0/24"]))
    assert geo.is_internal("203.0.113.7") and not geo.is_internal("198.51.100.7")
    with pytest.raises(ConfigError):
        internal_networks(["nope"])


def test_geoip_database_needs_maxminddb_or_a_readable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        GeoEnricher(mmdb_paths=[tmp_path / "missing.mmdb"])


class _Database:
    """A stand-in for a MaxMind reader: one external address is known."""

    def get(self, address: str) -> dict | None:
        if address != "203.0.113.5":
            return None
        return {
            "country": {"iso_code": "VN", "names": {"en": "Vietnam"}},
            "location": {"latitude": 16.05, "longitude": 108.2},
            "autonomous_system_number": 7552,
        }


def test_database_fields_are_set_and_never_shared_between_events() -> None:
    geo = GeoEnricher()
    geo.readers = [_Database()]
    first = {"source": {"ip": "203.0.113.5"}, "destination": {"ip": "10.0.0.1"}}
    second = {"source": {"ip": "203.0.113.5", "geo": {"name": "x"}}}
    geo(first)
    geo(second)  # from the remembered answer
    assert first["source"]["geo"] == {
        "country_iso_code": "VN",
        "country_name": "Vietnam",
        "location": {"lat": 16.05, "lon": 108.2},
    }
    assert first["source"]["as"] == {"number": 7552}
    assert second["source"]["geo"]["name"] == "x"
    assert second["source"]["geo"]["location"] == first["source"]["geo"]["location"]
    second["source"]["geo"]["location"]["lat"] = 0.0
    assert first["source"]["geo"]["location"]["lat"] == 16.05
    assert first["network"]["direction"] == "inbound"
