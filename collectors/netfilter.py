"""Linux netfilter log lines (iptables LOG/NFLOG, nftables ``log``, UFW) → ECS ``netfilter.log``."""

from __future__ import annotations

import re
from typing import Any

from collectors.syslog_header import SyslogHeader
from collectors.syslog_routing import ProgramParser
from soc.ecs import Event, set_field
from soc.errors import ParseError

_PAIR = re.compile(r"\b([A-Z]{2,6})=(\S*)")
_PREFIX = re.compile(r"^(?:\[\s*\d+\.\d+\]\s*)?(?P<prefix>.*?)\s*IN=")
_DENY_WORDS = ("DROP", "DENY", "BLOCK", "REJECT")
_ALLOW_WORDS = ("ACCEPT", "ALLOW", "PASS")


def _verdict(prefix: str) -> str | None:
    upper = prefix.upper()
    if any(word in upper for word in _DENY_WORDS):
        return "denied"
    if any(word in upper for word in _ALLOW_WORDS):
        return "allowed"
    return None


class NetfilterParser(ProgramParser):
    """Kernel messages carrying ``IN=… OUT=… SRC=… DST=…``; the log prefix says the verdict."""

    NAME = "netfilter"
    DATASET = "netfilter.log"
    MODULE = "netfilter"

    def claims(self, program: str | None, message: str) -> bool:
        return program in (None, "kernel") and "IN=" in message and " SRC=" in message

    def apply(self, event: Event, header: SyslogHeader) -> None:
        message = header.message
        head = _PREFIX.match(message)
        if head is None:
            raise ParseError("no IN= field")
        pairs = dict(_PAIR.findall(message[head.end() - 3 :]))
        prefix = head.group("prefix").strip("[]: ")
        mapping: dict[str, Any] = {
            "source.ip": pairs.get("SRC"),
            "destination.ip": pairs.get("DST"),
            "source.port": int(pairs["SPT"]) if pairs.get("SPT", "").isdigit() else None,
            "destination.port": int(pairs["DPT"]) if pairs.get("DPT", "").isdigit() else None,
            "network.transport": pairs.get("PROTO", "").lower() or None,
            "netfilter.mac": pairs.get("MAC") or None,
            "observer.ingress.interface.name": pairs.get("IN") or None,
            "observer.egress.interface.name": pairs.get("OUT") or None,
            "network.bytes": int(pairs["LEN"]) if pairs.get("LEN", "").isdigit() else None,
        }
        for dotted, value in mapping.items():
            if value is not None:
                set_field(event, dotted, value)
        verdict = _verdict(prefix)
        event["event"].update(category=["network"], type=["connection"])
        if verdict:
            event["event"]["type"] = ["connection", verdict]
            event["event"]["action"] = "drop" if verdict == "denied" else "accept"
        if prefix:
            set_field(event, "netfilter.prefix", prefix)
            set_field(event, "rule.name", prefix)
        event["observer"] = {
            **event.get("observer", {}),
            "type": "firewall",
            "product": "netfilter",
        }
