"""Longest-prefix matching of IP addresses against many networks in O(prefix lengths) per lookup."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CACHE_SIZE = 65_536  # answers remembered per map: events repeat the same few addresses
_UNKNOWN = object()


class NetworkMap(Generic[T]):
    """Networks → values; ``lookup`` returns the value of the most specific network holding an IP.

    One dict per prefix length: a lookup masks the address once per distinct length present
    (a handful in practice), so it does not grow with the number of networks.
    """

    def __init__(self, items: Iterable[tuple[str | Network, T]] = ()) -> None:
        self._tables: dict[tuple[int, int], dict[int, T]] = {}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}
        self._answers: dict[str, object] = {}
        for network, value in items:
            self.add(network, value)

    def add(self, network: str | Network, value: T) -> None:
        net = ipaddress.ip_network(network, strict=False) if isinstance(network, str) else network
        key = (net.version, net.prefixlen)
        table = self._tables.setdefault(key, {})
        table.setdefault(int(net.network_address), value)  # first declared wins on exact ties
        lengths = self._lengths[net.version]
        if net.prefixlen not in lengths:
            lengths.append(net.prefixlen)
            lengths.sort(reverse=True)
        self._answers.clear()

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables.values())

    def __bool__(self) -> bool:
        return bool(self._tables)

    def lookup(self, address: str) -> T | None:
        found = self._answers.get(address, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._search(address)
            if len(self._answers) >= CACHE_SIZE:
                self._answers.clear()
            self._answers[address] = found
        return found  # type: ignore[return-value]

    def _search(self, address: str) -> T | None:
        if not self._tables:
            return None
        parsed = _parse(address)
        if parsed is None:
            return None
        version, number = parsed
        bits = 32 if version == 4 else 128
        for length in self._lengths[version]:
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            value = self._tables[(version, length)].get(number & mask)
            if value is not None:
                return value
        return None


@lru_cache(maxsize=65_536)
def _parse(address: str) -> tuple[int, int] | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.version, int(ip)
