"""Which system and agency an event concerns: inventory lookup by host name, URL and IP address.

Sets ``soc.system_id``, ``soc.system_name``, ``soc.security_level``, ``soc.zone``,
``soc.agency_id``, ``organization.id`` and ``organization.name``. Host names and URLs are
dictionary lookups (wildcards ``*.example.gov.vn`` cost one per label); addresses use
longest-prefix matching, so the cost per event does not grow with the inventory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from enrichment.base import EventEnricher
from enrichment.networks import NetworkMap
from soc.ecs import Event

# Where to look, most telling first: the host that logged, the site asked for, then addresses.
HOST_FIELDS = (
    "host.name",
    "host.hostname",
    "url.domain",
    "destination.domain",
    "observer.hostname",
)
IP_FIELDS = ("host.ip", "destination.ip", "source.ip", "log.source.address", "observer.ip")
HOSTS_REMEMBERED = 65_536


def _paths(names: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Dotted names as (top-level key, keys below it), read without parsing the dots per event."""
    return tuple((name.split(".")[0], tuple(name.split(".")[1:])) for name in names)


_IP_PATHS = tuple((top, path[0], path[1:]) for top, path in _paths(IP_FIELDS))


def _runs(names: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Consecutive ``object.key`` names of one object together, order kept:
    ``("host", ("name", "hostname")), ("url", ("domain",)), …``."""
    runs: list[tuple[str, list[str]]] = []
    for name in names:
        top, _, key = name.partition(".")
        if runs and runs[-1][0] == top:
            runs[-1][1].append(key)
        else:
            runs.append((top, [key]))
    return tuple((top, tuple(keys)) for top, keys in runs)


_HOST_GROUPS = _runs(HOST_FIELDS)


@dataclass(frozen=True)
class AgencyInfo:
    id: str
    name: str
    ip_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    """An information system as the enricher needs it (from the state DB or a plain list)."""

    id: str
    name: str
    agency_id: str | None = None
    zone: str | None = None
    security_level: int | None = None
    ip_ranges: tuple[str, ...] = ()
    hostnames: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def asset_from(row: Any) -> Asset:
    """A ``soc.state.models.System`` row (or a mapping with the same keys) → ``Asset``."""
    get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
    return Asset(
        id=str(get("id")),
        name=str(get("name") or get("id")),
        agency_id=get("agency_id"),
        zone=get("zone"),
        security_level=get("security_level"),
        ip_ranges=tuple(get("ip_ranges") or ()),
        hostnames=tuple(get("hostnames") or ()),
        urls=tuple(get("urls") or ()),
    )


def agency_from(row: Any) -> AgencyInfo:
    get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
    return AgencyInfo(str(get("id")), str(get("name") or get("id")), tuple(get("ip_ranges") or ()))


class AssetEnricher(EventEnricher):
    NAME = "assets"

    def __init__(self, systems: Iterable[Asset], agencies: Iterable[AgencyInfo] = ()) -> None:
        self.agencies = {a.id: a for a in agencies}
        self.by_host: dict[str, Asset] = {}
        self.by_suffix: dict[str, Asset] = {}
        self.by_network: NetworkMap[Asset] = NetworkMap()
        self.agency_networks: NetworkMap[AgencyInfo] = NetworkMap()
        self._hosts: dict[str, Asset | None] = {}
        self._places: dict[str, tuple[Asset | None, AgencyInfo | None]] = {}
        for system in systems:
            self._index(system)
        for agency in self.agencies.values():
            for network in agency.ip_ranges:
                self.agency_networks.add(network, agency)
        # fixed once built (a changed inventory builds a new enricher): asked for every event
        self._by_address = bool(self.by_network or self.agency_networks)
        self._by_name = bool(self.by_host or self.by_suffix)

    def _index(self, system: Asset) -> None:
        names = [*system.hostnames, *(urlsplit(u).hostname or "" for u in system.urls)]
        for name in names:
            name = name.strip().lower().rstrip(".")
            if name.startswith("*."):
                self.by_suffix.setdefault(name[2:], system)
            elif name:
                self.by_host.setdefault(name, system)
        for network in system.ip_ranges:
            self.by_network.add(network, system)

    def system_for_host(self, host: str) -> Asset | None:
        found = self._hosts.get(host, _NONE)
        if found is _NONE:
            found = self._search_host(host)
            if len(self._hosts) >= HOSTS_REMEMBERED:
                self._hosts.clear()
            self._hosts[host] = found
        return found  # type: ignore[return-value]

    def _search_host(self, host: str) -> Asset | None:
        host = host.strip().lower().rstrip(".")
        found = self.by_host.get(host)
        if found is not None or not self.by_suffix:
            return found
        labels = host.split(".")
        for i in range(1, len(labels)):
            found = self.by_suffix.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def __call__(self, event: Event) -> None:
        system = self._named(event) if self._by_name else None
        agency = None
        if system is None and self._by_address:
            system, agency = self._located(event)
        if system is not None:
            self._stamp(event, system)
            return
        soc = event.get("soc")
        if soc is not None:  # the agency the collector stamped (the sender's), when known
            agency = self._known_agency(soc) or agency
        if agency is not None:
            if isinstance(soc, dict):
                soc["agency_id"] = agency.id
            else:
                event["soc"] = {"agency_id": agency.id}
            event["organization"] = {"id": agency.id, "name": agency.name}

    def _located(self, event: Event) -> tuple[Asset | None, AgencyInfo | None]:
        """The system of the first address (IP_FIELDS order) that has one, else the agency of
        the first that has one; each address's (system, agency) is remembered."""
        places, agency = self._places, None
        get = event.get
        for top, key, below in _IP_PATHS:
            value = get(top)
            if not isinstance(value, dict):
                continue
            value = value.get(key)
            if value is None:
                continue
            for deeper in below:
                value = value.get(deeper) if isinstance(value, dict) else None
            if type(value) is str:
                place = places.get(value) or self._place(value)
                if place[0] is not None:
                    return place[0], None
                agency = agency or place[1]
            elif isinstance(value, list | str):
                for item in value if isinstance(value, list) else (value,):
                    if isinstance(item, str):
                        place = places.get(item) or self._place(item)
                        if place[0] is not None:
                            return place[0], None
                        agency = agency or place[1]
        return None, agency

    def _place(self, address: str) -> tuple[Asset | None, AgencyInfo | None]:
        place = (self.by_network.lookup(address), self.agency_networks.lookup(address))
        if len(self._places) >= HOSTS_REMEMBERED:
            self._places.clear()
        self._places[address] = place
        return place

    def _named(self, event: Event) -> Asset | None:
        """The system named by the first host name, site or observer the event carries."""
        hosts = self._hosts
        for top, keys in _HOST_GROUPS:
            node = event.get(top)
            if node is None or not isinstance(node, dict):
                continue
            for key in keys:
                value = node.get(key)
                if type(value) is str or isinstance(value, str):
                    if not value:
                        continue
                    found = hosts.get(value, _NONE)
                    if found is _NONE:
                        found = self.system_for_host(value)
                    if found is not None:
                        return found  # type: ignore[return-value]
        return None

    def _known_agency(self, soc: Any) -> AgencyInfo | None:
        """The inventory's agency of the ``soc.agency_id`` already stamped, if any."""
        known = soc.get("agency_id") if isinstance(soc, dict) else None
        return self.agencies.get(known) if isinstance(known, str) else None

    def _stamp(self, event: Event, system: Asset) -> None:
        soc = event.setdefault("soc", {})
        soc["system_id"] = system.id
        soc["system_name"] = system.name
        if system.security_level is not None:
            soc["security_level"] = system.security_level
        if system.zone:
            soc["zone"] = system.zone
        agency = self.agencies.get(system.agency_id or "")
        if system.agency_id:
            soc["agency_id"] = system.agency_id
            event["organization"] = {
                "id": system.agency_id,
                "name": agency.name if agency else system.agency_id,
            }


_NONE = object()


def enricher_from_state(state: Any) -> AssetEnricher:
    """Build from the state DB's ``systems`` and ``agencies`` tables (``soc.state.db.StateDB``)."""
    from sqlalchemy import select

    from soc.state.models import Agency, System

    with state.session() as session:
        systems = [asset_from(row) for row in session.scalars(select(System))]
        agencies = [agency_from(row) for row in session.scalars(select(Agency))]
    return AssetEnricher(systems, agencies)
