"""Known-bad indicators (IP, CIDR, domain, URL, file hash) matched against events in O(1).

A match appends to ``threat.enrichments`` (ECS 8.x): the indicator (type, value, provider,
confidence, description, expiry) and what matched (field, atomic value). Expired indicators do
not match.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from enrichment.base import EventEnricher
from enrichment.networks import NetworkMap
from soc.ecs import Event, format_timestamp, utc_now

IndicatorType = Literal["ipv4-addr", "ipv6-addr", "cidr", "domain-name", "url", "file"]

# ECS field → kind of indicator it can match.
FIELDS: dict[str, str] = {
    "source.ip": "ip",
    "destination.ip": "ip",
    "host.ip": "ip",
    "url.domain": "domain",
    "destination.domain": "domain",
    "source.domain": "domain",
    "dns.question.name": "domain",
    "tls.client.server_name": "domain",
    "url.original": "url",
    "url.full": "url",
    "file.hash.md5": "hash",
    "file.hash.sha1": "hash",
    "file.hash.sha256": "hash",
    "process.hash.md5": "hash",
    "process.hash.sha1": "hash",
    "process.hash.sha256": "hash",
}


@dataclass(frozen=True)
class Indicator:
    type: IndicatorType
    value: str  # normalised: lower-case domains and hashes, canonical IPs and networks
    provider: str
    expires: datetime | None = None
    confidence: str | None = None
    description: str | None = None
    reference: str | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def as_ecs(self) -> dict[str, Any]:
        kind = "ipv4-addr" if self.type == "cidr" else self.type
        doc: dict[str, Any] = {"type": kind, "provider": self.provider}
        if self.type in ("ipv4-addr", "ipv6-addr", "cidr"):
            doc["ip"] = self.value
        elif self.type == "domain-name":
            doc["url"] = {"domain": self.value}
        elif self.type == "url":
            doc["url"] = {"original": self.value}
        else:
            doc["file"] = {"hash": {_hash_name(self.value): self.value}}
        for key in ("confidence", "description", "reference"):
            if getattr(self, key):
                doc[key] = getattr(self, key)
        if self.expires is not None:
            doc["expires"] = format_timestamp(self.expires)  # not ECS: when it stops matching
        return doc


def _hash_name(value: str) -> str:
    return {32: "md5", 40: "sha1", 64: "sha256"}.get(len(value), "sha256")


def normalise(kind: IndicatorType, value: str) -> str:
    """The form indicators are indexed under (raises ValueError when not valid)."""
    value = value.strip()
    if kind in ("ipv4-addr", "ipv6-addr"):
        return str(ipaddress.ip_address(value))
    if kind == "cidr":
        return str(ipaddress.ip_network(value, strict=False))
    if kind == "domain-name":
        return value.lower().rstrip(".")
    if kind == "file":
        if not value or any(c not in "0123456789abcdefABCDEF" for c in value):
            raise ValueError(f"not a hash: {value[:80]!r}")
        return value.lower()
    return value


ANSWERS_REMEMBERED = 65_536  # values remembered per kind, with what they matched (or None)
_UNSEEN: Any = object()


class IndicatorIndex(EventEnricher):
    """Indicators by kind in dicts (CIDRs by prefix length): one lookup per event field."""

    NAME = "threat-intel"

    def __init__(self, indicators: Iterable[Indicator] = (), clock: Any = utc_now) -> None:
        self.clock = clock
        self.exact: dict[str, dict[str, Indicator]] = {
            "ip": {},
            "domain": {},
            "url": {},
            "hash": {},
        }
        self.networks: NetworkMap[Indicator] = NetworkMap()
        self.count = 0
        self._fields: dict[str, dict[str, tuple[_Field, ...]]] = {}
        self._kinds: frozenset[str] = frozenset()
        # value → the indicator it matches (or None), per kind: events repeat the same values
        self._answers: dict[str, dict[str, Indicator | None]] = {k: {} for k in self.exact}
        for indicator in indicators:
            self.add(indicator)

    def add(self, indicator: Indicator) -> None:
        self.count += 1
        if indicator.type == "cidr":
            self.networks.add(indicator.value, indicator)
        else:
            kind = {"ipv4-addr": "ip", "ipv6-addr": "ip", "domain-name": "domain"}.get(
                indicator.type, "hash" if indicator.type == "file" else "url"
            )
            self.exact[kind][indicator.value] = indicator
        for answers in self._answers.values():
            answers.clear()
        # Only the fields some indicator could match are read from events; the groups change
        # only when a kind gets its first indicator (not for each of a feed's thousands).
        kinds = frozenset(
            {k for k, table in self.exact.items() if table} | ({"ip"} if self.networks else set())
        )
        if kinds != self._kinds:
            self._kinds = kinds
            self._fields = _fields_by_key((p for p in _PATHS if p[2] in kinds), self._answers)

    def match(self, kind: str, value: str) -> Indicator | None:
        if kind == "domain" or kind == "hash":
            value = value.lower().rstrip(".")
        found = self.exact[kind].get(value)
        if found is None and kind == "ip":
            found = self.networks.lookup(value)
        return found

    def __call__(self, event: Event) -> None:
        if self.count:
            found = self._matches(event)
            if found:
                found.sort(key=lambda item: item[0])  # back to FIELDS order (stable per field)
                self._stamp(event, found)

    def _matches(self, event: Event) -> list[tuple[int, str, str, Indicator]]:
        """What the event's fields match. Only the objects and keys both the event and some
        field have are visited (set intersections): most events carry few of them."""
        found: list[tuple[int, str, str, Indicator]] = []
        fields = self._fields
        for top in event.keys() & fields.keys():
            node = event[top]
            if not isinstance(node, dict):
                continue
            wanted = fields[top]
            for key in node.keys() & wanted.keys():
                for order, name, answers, kind, below in wanted[key]:
                    value = node[key] if not below else _below(node[key], below)
                    if type(value) is str:  # the usual case, inline; lists and the rest below
                        if value:
                            indicator = answers.get(value, _UNSEEN)
                            if indicator is None:
                                continue
                            if indicator is _UNSEEN:
                                indicator = self._remember(answers, kind, value)
                            if indicator is not None and not indicator.expired(self.clock()):
                                found.append((order, name, value, indicator))
                    elif value is not None:
                        self._match_values(found, order, name, answers, kind, value)
        return found

    def _match_values(
        self, found: list[tuple[int, str, str, Indicator]], order: int, name: str,
        answers: dict[str, Indicator | None], kind: str, value: Any,
    ) -> None:  # fmt: skip
        for atomic in value if isinstance(value, list) else (value,):
            if isinstance(atomic, str) and atomic:
                indicator = answers.get(atomic, _UNSEEN)
                if indicator is _UNSEEN:
                    indicator = self._remember(answers, kind, atomic)
                if indicator is not None and not indicator.expired(self.clock()):
                    found.append((order, name, atomic, indicator))

    def _remember(self, answers: dict[str, Indicator | None], kind: str, value: str) -> Any:
        indicator = self.match(kind, value)
        if len(answers) >= ANSWERS_REMEMBERED:
            answers.clear()
        answers[value] = indicator
        return indicator

    @staticmethod
    def _stamp(event: Event, found: list[tuple[int, str, str, Indicator]]) -> None:
        matches = [
            {
                "indicator": indicator.as_ecs(),
                "matched": {"atomic": atomic, "field": name, "type": "indicator_match_rule"},
            }
            for _, name, atomic, indicator in found
        ]
        threat = event.setdefault("threat", {})
        threat.setdefault("enrichments", []).extend(matches)
        event.setdefault("event", {}).setdefault("risk_score", 75)


# FIELDS as (order, name, kind, top-level key, the keys below it): read without parsing dots.
_PATHS = tuple(
    (order, name, kind, name.split(".")[0], tuple(name.split(".")[1:]))
    for order, (name, kind) in enumerate(FIELDS.items())
)


_Field = tuple[int, str, dict[str, Indicator | None], str, tuple[str, ...]]


def _fields_by_key(
    paths: Iterable[tuple[int, str, str, str, tuple[str, ...]]],
    answers: dict[str, dict[str, Indicator | None]],
) -> dict[str, dict[str, tuple[_Field, ...]]]:
    """Paths by top-level object and the key in it: ``{"file": {"hash": (md5, sha1, sha256)}}``,
    each field as (order, name, its kind's remembered answers, kind, the keys below)."""
    tree: dict[str, dict[str, list[_Field]]] = {}
    for order, name, kind, top, path in paths:
        specs = tree.setdefault(top, {}).setdefault(path[0], [])
        specs.append((order, name, answers[kind], kind, path[1:]))
    return {top: {key: tuple(specs) for key, specs in keys.items()} for top, keys in tree.items()}


def _below(value: Any, keys: tuple[str, ...]) -> Any:
    """``value[k1][k2]…`` through nested objects, None where one is missing."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
