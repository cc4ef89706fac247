"""Where addresses are: internal (private, the MAN's block, configured ranges) or, offline, the
country and AS number from a user-supplied MaxMind-format database (``maxminddb``).

Sets ``network.direction`` (internal, inbound, outbound, external) from which side is internal,
``source.geo.*``/``destination.geo.*`` and ``*.as.*`` for external addresses when a database is
given, and labels internal ones ``*.geo.name = "internal"``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from enrichment.base import EventEnricher
from enrichment.networks import NetworkMap
from soc.ecs import Event
from soc.errors import ConfigError

INTERNAL_RANGES = (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128",
    "2001:df2:9b00::/48",  # the Đà Nẵng MAN's IPv6 block (AS56141)
)  # fmt: skip
CACHE_SIZE = 65_536


class GeoEnricher(EventEnricher):
    """Internal/external labelling always; country/ASN when ``mmdb_paths`` are given."""

    NAME = "geo"

    def __init__(
        self, internal_ranges: Iterable[str] = INTERNAL_RANGES, mmdb_paths: Iterable[Path] = ()
    ) -> None:
        self.internal: NetworkMap[bool] = NetworkMap((r, True) for r in internal_ranges)
        self.readers = [_open_mmdb(p) for p in mmdb_paths]
        self._cache: dict[str, tuple[tuple[tuple[str, ...], Any], ...]] = {}
        self._inside: dict[str, bool] = {}  # address → internal, remembered

    def is_internal(self, address: str) -> bool:
        inside = self._inside.get(address)
        if inside is None:
            inside = bool(self.internal.lookup(address))
            if len(self._inside) >= CACHE_SIZE:
                self._inside.clear()
            self._inside[address] = inside
        return inside

    def __call__(self, event: Event) -> None:
        source = event.get("source")
        destination = event.get("destination")
        source_inside = None if source is None else self._side(source)
        destination_inside = None if destination is None else self._side(destination)
        if source_inside is not None and destination_inside is not None:
            direction = _DIRECTIONS[source_inside][destination_inside]
            if "network" in event:  # setdefault would build its default dict every time
                event["network"]["direction"] = direction
            else:
                event["network"] = {"direction": direction}

    def _side(self, node: Any) -> bool | None:
        """Label one side (``source`` or ``destination``); None when it has no address."""
        if not isinstance(node, dict):
            return None
        address = node.get("ip")
        if not isinstance(address, str):
            return None
        inside = self._inside.get(address)
        if inside is None:
            inside = self.is_internal(address)
        if inside:
            geo = node.get("geo")
            if isinstance(geo, dict):
                geo["name"] = "internal"
            else:
                node["geo"] = {"name": "internal"}
        elif self.readers:
            self._locate(node, address)
        return inside

    def _locate(self, node: dict[str, Any], address: str) -> None:
        found = self._cache.get(address)
        if found is None:
            fields: dict[str, Any] = {}
            for reader in self.readers:
                try:
                    record = reader.get(address)
                except (ValueError, TypeError):
                    record = None
                if isinstance(record, dict):
                    fields.update(_fields(record))
            found = tuple((tuple(dotted.split(".")), value) for dotted, value in fields.items())
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[address] = found
        for keys, value in found:
            target = node
            for key in keys[:-1]:
                child = target.get(key)
                if not isinstance(child, dict):
                    child = target[key] = {}
                target = child
            # a copy of a remembered object (geo.location): events never share one
            target[keys[-1]] = dict(value) if isinstance(value, dict) else value


# network.direction by (source internal, destination internal): _DIRECTIONS[source][destination]
_DIRECTIONS = (("external", "inbound"), ("outbound", "internal"))


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """GeoLite2/DB-IP Country, City and ASN records → ECS ``geo.*`` and ``as.*``."""
    out: dict[str, Any] = {}
    country = record.get("country") or record.get("registered_country") or {}
    if isinstance(country, dict):
        if country.get("iso_code"):
            out["geo.country_iso_code"] = country["iso_code"]
        name = (country.get("names") or {}).get("en")
        if name:
            out["geo.country_name"] = name
    city = (record.get("city") or {}).get("names", {}).get("en") if record.get("city") else None
    if city:
        out["geo.city_name"] = city
    location = record.get("location") or {}
    if "latitude" in location and "longitude" in location:
        out["geo.location"] = {"lat": location["latitude"], "lon": location["longitude"]}
    if record.get("autonomous_system_number") is not None:
        out["as.number"] = record["autonomous_system_number"]
    if record.get("autonomous_system_organization"):
        out["as.organization.name"] = record["autonomous_system_organization"]
    return out


def _open_mmdb(path: Path) -> Any:
    try:
        import maxminddb
    except ImportError as e:
        raise ConfigError(
            "GeoIP databases need the maxminddb package",
            hint="pip install maxminddb, or remove the GeoIP database setting",
        ) from e
    try:
        return maxminddb.open_database(str(path))
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot open the GeoIP database: {e}", source=path) from e


def internal_networks(extra: Iterable[str]) -> list[str]:
    """The default internal ranges plus configured ones (validated)."""
    ranges = list(INTERNAL_RANGES)
    for item in extra:
        try:
            ranges.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as e:
            raise ConfigError(f"not a network: {item!r}") from e
    return ranges
