"""IP address text in canonical form, remembered: logs repeat the same few addresses, and
``ipaddress`` parsing costs more than the rest of a syslog line."""

from __future__ import annotations

import ipaddress

CACHE_SIZE = 65_536

_canonical: dict[str, str | None] = {}
_clients: dict[str, str | None] = {}


def ip_text(value: str) -> str | None:
    """``str(ipaddress.ip_address(value))``, or None when ``value`` is not an address."""
    found = _canonical.get(value, "")
    if found != "":
        return found
    try:
        found = str(ipaddress.ip_address(value))
    except ValueError:
        found = None
    if len(_canonical) >= CACHE_SIZE:
        _canonical.clear()
    _canonical[value] = found
    return found


def client_ip(value: str) -> str | None:
    """Like ``ip_text`` after removing ``[]`` brackets, with ``::ffff:a.b.c.d`` given as the IPv4
    address it carries."""
    found = _clients.get(value, "")
    if found != "":
        return found
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        found = None
    else:
        mapped = getattr(address, "ipv4_mapped", None)
        found = str(mapped or address)
    if len(_clients) >= CACHE_SIZE:
        _clients.clear()
    _clients[value] = found
    return found
