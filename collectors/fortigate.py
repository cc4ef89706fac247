"""FortiGate (FortiOS v3–v7) key=value logs → ECS ``fortinet.firewall``: traffic, UTM, events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from collectors.addresses import ip_text
from collectors.envelope import epoch_timestamp, put, to_int
from collectors.syslog_header import SyslogHeader
from collectors.syslog_routing import ProgramParser
from soc.ecs import Event, format_timestamp, set_field
from soc.errors import ParseError

_PAIR = re.compile(r'([\w-]+)=("[^"\\]*(?:\\.[^"\\]*)*"|\S*)')  # quoted: unrolled, no alternation
_STAMPS_REMEMBERED = 4096
_UI_PEER = re.compile(r"\(([\d.:a-fA-F]+)\)")
_DENIED = frozenset(
    {"deny", "denied", "blocked", "block", "dropped", "drop", "reset", "clear_session"}
)
_ALLOWED = frozenset({"accept", "pass", "passthrough", "allowed", "close", "client-rst"})
_FIELDS = (  # FortiOS key (v5+ first, then v3/v4 spellings) → ECS field
    (("srcip", "src"), "source.ip"),
    (("dstip", "dst"), "destination.ip"),
    (("srcport", "src_port"), "source.port"),
    (("dstport", "dst_port"), "destination.port"),
    (("srcintf", "src_int"), "observer.ingress.interface.name"),
    (("dstintf", "dst_int"), "observer.egress.interface.name"),
    (("sentbyte", "sent"), "source.bytes"),
    (("rcvdbyte", "rcvd"), "destination.bytes"),
    (("devname",), "observer.name"),
    (("devid", "device_id"), "observer.serial_number"),
    (("logid", "log_id"), "event.code"),
    (("policyid",), "rule.id"),
    (("hostname",), "url.domain"),
    (("url",), "url.path"),
    (("service",), "network.application"),
    (("remip",), "source.ip"),
    (("sessionid",), "network.session_id"),
    (("srccountry",), "source.geo.country_name"),
    (("dstcountry",), "destination.geo.country_name"),
)
_INT_FIELDS = frozenset(
    {"source.port", "destination.port", "source.bytes", "destination.bytes", "rule.id"}
)
# (keys, ECS path split once, how the value is read: "ip", "int" or "text")
_PLAN = tuple(
    (
        keys,
        tuple(dotted.split(".")),
        "ip" if dotted.endswith(".ip") else "int" if dotted in _INT_FIELDS else "text",
    )
    for keys, dotted in _FIELDS
)
_VENDOR_KEYS = (
    "type", "subtype", "eventtype", "level", "vd", "action", "status", "logdesc",
    "attack", "attackid", "profile", "reason", "ui", "direction", "app", "catdesc",
    "cfgtid", "cfgpath", "cfgobj", "cfgattr",  # configuration changes: what changed, and how
)  # fmt: skip
_TRANSPORT = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "58": "ipv6-icmp"}


def parse_pairs(text: str) -> dict[str, str]:
    """FortiOS ``key=value`` / ``key="quoted value"`` pairs (later keys win)."""
    return {
        key: value[1:-1].replace('\\"', '"')
        if value[:1] == '"' and value[-1:] == '"' and len(value) >= 2
        else value
        for key, value in _PAIR.findall(text)
    }  # one pass: a key seen twice keeps its first place and its last value, as dict() does


class FortiGateParser(ProgramParser):
    """Key=value records recognised by their ``logid``/``devid`` keys, whatever the program."""

    NAME = "fortigate"
    DATASET = "fortinet.firewall"
    MODULE = "fortinet"

    def claims(self, program: str | None, message: str) -> bool:
        head = message[:400]
        return ("logid=" in head or "log_id=" in head) and "type=" in head

    def apply(self, event: Event, header: SyslogHeader) -> None:
        pairs = parse_pairs(header.message)
        event["observer"] = {"vendor": "Fortinet", "product": "FortiGate", "type": "firewall"}
        _timestamp(event, pairs, header.timestamp.tzinfo if header.timestamp else None)
        for keys, path, how in _PLAN:
            for key in keys:
                value = pairs.get(key)
                if value is not None and value != "" and value != "N/A":
                    _set(event, path, how, value)
                    break
        set_field(event, "fortinet.firewall", _vendor_fields(pairs))
        _meaning(event, pairs)
        if message := pairs.get("msg") or pairs.get("logdesc"):
            event["message"] = message


def _set(event: Event, path: tuple[str, ...], how: str, value: str) -> None:
    if how == "ip":
        address = ip_text(value)
        if address is not None:
            put(event, path, address)
    elif how == "int":
        number = to_int(value)
        if number is not None:
            put(event, path, number)
    else:
        put(event, path, value)


def _vendor_fields(pairs: dict[str, str]) -> dict[str, Any]:
    keep = _VENDOR_KEYS
    return {k: pairs[k] for k in keep if pairs.get(k) not in (None, "")}


def _timestamp(event: Event, pairs: dict[str, str], local_tz: tzinfo | None) -> None:
    epoch = to_int(pairs.get("eventtime") or pairs.get("logtime"))
    if epoch:
        for scale in (1, 1_000, 1_000_000, 1_000_000_000):
            if epoch / scale < 10_000_000_000:
                try:
                    event["@timestamp"] = epoch_timestamp(epoch / scale, "eventtime")
                except ParseError:
                    break
                return
    # The device's own date and time beat a relay's header (which may lack the year).
    date, time = pairs.get("date"), (pairs.get("time") or "").replace(" ", "")
    if date and time:
        stamp = _device_time(date, time, pairs.get("tz", ""), local_tz)
        if stamp is not None:
            event["@timestamp"] = stamp


_device_times: dict[tuple[str, str, str, tzinfo | None], str | None] = {}


def _device_time(date: str, time: str, zone: str, local_tz: tzinfo | None) -> str | None:
    """``date``/``time``/``tz`` → ``@timestamp`` (None when invalid), remembered per second."""
    key = (date, time, zone, local_tz)
    if key in _device_times:
        return _device_times[key]
    try:
        moment = datetime.fromisoformat(f"{date}T{time}{zone}")
        stamp: str | None = format_timestamp(
            moment if moment.tzinfo else moment.replace(tzinfo=local_tz or UTC)
        )
    except (ValueError, OverflowError):
        stamp = None
    if len(_device_times) >= _STAMPS_REMEMBERED:
        _device_times.clear()
    _device_times[key] = stamp
    return stamp


def _meaning(event: Event, pairs: dict[str, str]) -> None:
    kind, subtype = pairs.get("type", ""), pairs.get("subtype", "")
    action = (pairs.get("action") or pairs.get("status") or "").lower()
    if action:
        event["event"]["action"] = action
    proto = _TRANSPORT.get(pairs.get("proto", ""))
    if proto:
        set_field(event, "network.transport", proto)
    if kind in ("traffic", "utm", "anomaly") and action:
        verdict = "denied" if action in _DENIED else "allowed" if action in _ALLOWED else "info"
        category = "network" if kind == "traffic" else "intrusion_detection"
        event["event"].update(category=[category], type=[verdict])
        if kind != "traffic" and (verdict == "denied" or kind == "anomaly"):
            event["event"]["kind"] = "alert"
    if attack := pairs.get("attack"):
        set_field(event, "rule.name", attack)
    _admin(event, pairs, subtype, action)


def _admin(event: Event, pairs: dict[str, str], subtype: str, action: str) -> None:
    user = pairs.get("user")
    if user and user not in ("N/A", ""):
        set_field(event, "user.name", user)
    peer = _UI_PEER.search(pairs.get("ui", ""))
    if peer:
        _set(event, ("source", "ip"), "ip", peer.group(1))
    status = pairs.get("status", "")
    if action in ("login", "logout") or "login" in action:
        failed = status == "failed" or "fail" in action
        event["event"].update(
            category=["authentication"],
            type=["end" if action == "logout" else "start"],
            outcome="failure" if failed else "success",
        )
    elif subtype == "system" and pairs.get("cfgpath"):
        event["event"].update(category=["configuration"], type=["change"])
