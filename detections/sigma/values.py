"""How event values are read and compared, shared by the generated code and the interpreter."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from soc.ecs import get_field, parse_timestamp

EVENT_DATA = "winlog.event_data."
MAX_TEXT = 65_536  # keyword search reads at most this much of an event's text


_EMPTY: Mapping[str, Any] = {}


class NeedsInterpreter(Exception):
    """A value the generated code does not handle (a list, an object): use the interpreter."""


def scalar_text(value: Any) -> str | None:
    """Event value → the text Sigma compares (bools as true/false); lists/objects signal."""
    if value is None or value.__class__ is str:
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return str(value)
    raise NeedsInterpreter


def windows_data(ev: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(winlog, event data with user data behind it): Sigma names both by the bare field name."""
    winlog = ev.get("winlog")
    if type(winlog) is not dict and not isinstance(winlog, Mapping):
        return _EMPTY, _EMPTY
    data = winlog.get("event_data")
    user = winlog.get("user_data")
    if type(data) is not dict and not isinstance(data, Mapping):
        data = _EMPTY
    if user and isinstance(user, Mapping):
        return winlog, {**user, **data}
    return winlog, data


def lookup(ev: Mapping[str, Any], path: str) -> Any:
    """The raw value at an ECS path, with Windows user data as a fallback for event data.

    A path through a list of objects (``threat.enrichments.matched.field``) gives the list of
    the values found in its elements.
    """
    if path.startswith(EVENT_DATA):
        _, data = windows_data(ev)
        return data.get(path[len(EVENT_DATA) :])
    value = get_field(ev, path)
    if value is None and "." in path:
        return _through_lists(ev, path.split("."))
    return value


def _through_lists(node: Any, parts: list[str]) -> Any:
    for i, part in enumerate(parts):
        if isinstance(node, list):
            found = [_through_lists(item, parts[i:]) for item in node[:256]]
            flat = [v for f in found if f is not None for v in (f if isinstance(f, list) else [f])]
            return flat or None
        if not isinstance(node, Mapping):
            return None
        rest = ".".join(parts[i:])
        if rest in node:
            return node[rest]
        node = node.get(part)
    return node


def values_of(raw: Any) -> list[str]:
    """All comparable texts of a raw value (a list gives each element; objects give none)."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        out: list[str] = []
        for item in raw:
            out.extend(values_of(item))
        return out
    if isinstance(raw, Mapping):
        return []
    text = scalar_text(raw)
    return [] if text is None else [text]


def number(text: str | None) -> float | None:
    if text is None:
        return None
    stripped = text.strip()
    try:
        if stripped[:2].lower() == "0x":
            return float(int(stripped, 16))
        return float(stripped)
    except ValueError:
        return None


def compare(text: str | None, op: str, bound: float) -> bool:
    value = number(text)
    if value is None:
        return False
    if op == "gt":
        return value > bound
    if op == "gte":
        return value >= bound
    if op == "lt":
        return value < bound
    if op == "lte":
        return value <= bound
    return value != bound


@lru_cache(maxsize=64)
def networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def in_cidr(
    text: str | None, nets: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    if not text:
        return False
    try:
        address = ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return False
    return any(address.version == n.version and address in n for n in nets)


def timestamp_part(ev: Mapping[str, Any], part: str) -> int | None:
    text = ev.get("@timestamp")
    if not isinstance(text, str):
        return None
    try:
        moment: datetime = parse_timestamp(text)
    except ValueError:
        return None
    if part == "week":
        return moment.isocalendar().week
    return int(getattr(moment, part))


def full_text(ev: Mapping[str, Any]) -> str:
    """Lower-cased text keywords are searched in: Windows event (and user) data, else the
    message and the original record, else every value of the event."""
    parts: list[str] = []
    if "winlog" in ev:
        _, data = windows_data(ev)
        _collect(data, parts)
    else:
        for path in ("message", "event.original"):
            value = get_field(ev, path)
            if isinstance(value, str):
                parts.append(value)
    message = ev.get("message")
    if "winlog" in ev and isinstance(message, str):
        parts.append(message)
    if not parts:
        _collect(ev, parts)
    return "\n".join(parts)[:MAX_TEXT].lower()


def _collect(node: Any, out: list[str]) -> None:
    kind = type(node)
    if kind is str:
        out.append(node)
    elif kind is dict or isinstance(node, Mapping):
        for value in node.values():
            _collect(value, out)
    elif kind is list or kind is tuple:
        for value in node:
            _collect(value, out)
    elif node is not None:
        out.append(str(node))


@lru_cache(maxsize=4096)
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)
