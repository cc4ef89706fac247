"""Prepare a report for the national centre: the sharing policy decides which fields go and which
internal addresses are masked; this module applies that decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from policies.base import PolicyEngine
from policies.facts import internal_addresses
from soc.errors import PolicyError


@dataclass(frozen=True)
class Outbound:
    fields: dict[str, Any]
    dropped: list[dict[str, str]]
    masked: list[str]


def mask_address(value: str) -> str:
    """Keep the network, hide the host: 10.10.20.11 → 10.10.x.x, IPv6 after the /48."""
    address = ip_address(value)
    if address.version == 4:
        a, b, _, _ = value.split(".")
        return f"{a}.{b}.x.x"
    groups = address.exploded.split(":")
    return ":".join(groups[:3]) + "::x"


def prepare_outbound(
    engine: PolicyEngine,
    kind: str,
    fields: Mapping[str, Any],
    ranges: Iterable[str],
    *,
    internal_policy: str | None = None,
) -> Outbound:
    """Apply the sharing policy to a report's fields (flat name → value)."""
    candidates = [(k, v) for k, v in fields.items() if isinstance(v, str)]
    doc: dict[str, Any] = {
        "report": {"kind": kind, "fields": dict(fields)},
        "addresses": internal_addresses(candidates, ranges),
    }
    if internal_policy:
        doc["policy"] = {"internal_addresses": internal_policy}
    out = engine.evaluate("sharing", doc)
    if not isinstance(out, dict):
        raise PolicyError("the sharing policy returned nothing")
    if not out["allowed"]:
        raise PolicyError(f"no outbound form for report kind {kind!r}")
    dropped = sorted(out["drop"], key=lambda d: d["field"])
    gone = {d["field"] for d in dropped}
    clean = {k: v for k, v in fields.items() if k not in gone}
    masked = sorted({m["field"] for m in out["mask"]})
    for name in masked:
        clean[name] = mask_address(str(clean[name]))
    return Outbound(clean, dropped, masked)
