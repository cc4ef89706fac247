"""Packet captures (pcap/pcapng, scapy) → flow, DNS and HTTP metadata, in bounded memory.

The reader turns packets into metadata records (one JSON object each): a flow when it ends,
idles out or is evicted from the bounded flow table, a DNS message, an HTTP request. The parser
maps those records to ECS. For sites without Suricata; no payload is kept.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import orjson

from collectors.base import DeadLetter, Parser, RawRecord, Reader
from collectors.envelope import epoch_timestamp, new_event
from collectors.suricata_eve import load_json_object
from soc.ecs import Event, set_field
from soc.errors import ParseError

MAX_FLOWS = 65_536
IDLE_SECONDS = 120.0
CLOSED_LINGER_SECONDS = 5.0
_HTTP_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"DELETE ", b"OPTIONS ", b"PATCH ")
_TRANSPORTS = {6: "tcp", 17: "udp", 1: "icmp", 58: "ipv6-icmp"}
# Scapy learns how to decode a capture's link type (Ethernet, Linux cooked, raw IP, PPP…) only
# when the module defining that layer is imported: a reader opened before would see raw bytes.
_LINK_LAYER_MODULES = (
    "scapy.layers.l2",
    "scapy.layers.inet",
    "scapy.layers.inet6",
    "scapy.layers.dns",
    "scapy.layers.ppp",
)
_log = logging.getLogger(__name__)


class _ScapyToDebug(logging.Handler):
    """Scapy's own messages, as debug messages of this module instead of lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        _log.debug("scapy: %s", record.getMessage())


@functools.cache
def load_scapy() -> None:
    """Make scapy ready to decode captures, once per process: its log routed to ours (it writes
    warnings such as "unknown LL type" to stderr by itself), then its link layers registered."""
    importlib.import_module("scapy.error")  # creates the "scapy" logger and its stderr handler
    scapy_log = logging.getLogger("scapy")
    for handler in list(scapy_log.handlers):
        scapy_log.removeHandler(handler)
    scapy_log.addHandler(_ScapyToDebug())
    scapy_log.propagate = False
    for name in _LINK_LAYER_MODULES:
        importlib.import_module(name)


@dataclass(slots=True)
class _Flow:
    first_index: int
    start: float
    last: float
    key: tuple[Any, ...]
    packets: list[int] = field(default_factory=lambda: [0, 0])
    octets: list[int] = field(default_factory=lambda: [0, 0])

    def record(self, reason: str) -> dict[str, Any]:
        transport, src, sport, dst, dport = self.key
        return {
            "type": "flow",
            "start": self.start,
            "end": self.last,
            "transport": transport,
            "src": src,
            "sport": sport,
            "dst": dst,
            "dport": dport,
            "packets": self.packets,
            "bytes": self.octets,
            "reason": reason,
        }


class PcapReader(Reader):
    """Streams packets with scapy; never holds more than ``max_flows`` open flows."""

    NAME = "pcap"

    def __init__(self, max_flows: int = MAX_FLOWS, idle_seconds: float = IDLE_SECONDS) -> None:
        self.max_flows = max_flows
        self.idle_seconds = idle_seconds

    def read(
        self, stream: BinaryIO, source: str, start_offset: int = 0
    ) -> Iterator[RawRecord | DeadLetter]:
        load_scapy()
        from scapy.config import conf
        from scapy.error import Scapy_Exception
        from scapy.utils import PcapReader as ScapyReader

        try:
            packets = ScapyReader(cast(Any, stream))  # scapy accepts open files too
        except (Scapy_Exception, EOFError, OSError, ValueError) as e:
            yield DeadLetter(source, f"not a readable capture file: {e}", b"", None, "pcap")
            return
        if getattr(packets, "LLcls", None) is conf.raw_layer:  # pcap (pcapng says it per packet)
            packets.close()
            reason = f"unsupported link type {getattr(packets, 'linktype', '?')} of the capture"
            yield DeadLetter(source, reason, b"", None, "pcap")
            return
        table = FlowTable(self.max_flows, self.idle_seconds)
        with packets:
            for index, packet in enumerate(packets):
                for meta in table.add(index, packet):
                    yield _raw(meta, source, index)
        for meta in table.drain():
            yield _raw(meta, source, int(meta["index"]))


def _raw(meta: dict[str, Any], source: str, index: int) -> RawRecord:
    return RawRecord(orjson.dumps(meta), source, int(meta.get("index", index)), source_type="pcap")


class FlowTable:
    """Open flows keyed by 5-tuple in first-seen direction, oldest first (LRU eviction).

    A TCP flow ends at its first FIN or RST; the packets that still follow it (the peer's FIN,
    the last ACKs) are not a new flow: they are absorbed for ``CLOSED_LINGER_SECONDS``.
    """

    def __init__(self, max_flows: int, idle_seconds: float) -> None:
        self.max_flows = max_flows
        self.idle_seconds = idle_seconds
        self.flows: OrderedDict[tuple[Any, ...], _Flow] = OrderedDict()
        self.closed: OrderedDict[tuple[Any, ...], float] = OrderedDict()  # key → when it ended

    def add(self, index: int, packet: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        ip = _ip_layer(packet)
        if ip is None:
            return out
        now = float(packet.time)
        out.extend(self._expire(now))
        key, l4 = self._key(ip)
        flags = int(l4.flags) if l4 is not None and key[0] == "tcp" else 0
        if self._lingering(key, now, flags):
            out.extend(_application(index, now, key, ip))
            return out
        direction = 0
        flow = self.flows.get(key) or self.flows.get(_reverse(key))
        if flow is None:
            if len(self.flows) >= self.max_flows:
                _, oldest = self.flows.popitem(last=False)
                out.append({**oldest.record("evicted"), "index": oldest.first_index})
            flow = _Flow(index, now, now, key)
            self.flows[key] = flow
        else:
            direction = 0 if flow.key == key else 1
            self.flows.move_to_end(flow.key)
        flow.packets[direction] += 1
        flow.octets[direction] += len(packet)
        flow.last = now
        out.extend(_application(index, now, key, ip))
        if flags & 0x05:  # FIN or RST
            del self.flows[flow.key]
            self._remember_closed(flow.key, now)
            out.append({**flow.record("closed"), "index": flow.first_index})
        return out

    def _lingering(self, key: tuple[Any, ...], now: float, flags: int) -> bool:
        """A packet of a flow that just ended (a new SYN starts a new flow instead)."""
        if not self.closed:
            return False
        for candidate in (key, _reverse(key)):
            ended = self.closed.get(candidate)
            if ended is not None:
                if now - ended < CLOSED_LINGER_SECONDS and not flags & 0x02:
                    return True
                del self.closed[candidate]
        return False

    def _remember_closed(self, key: tuple[Any, ...], now: float) -> None:
        self.closed[key] = now
        self.closed.move_to_end(key)
        while len(self.closed) > self.max_flows:
            self.closed.popitem(last=False)

    def _key(self, ip: Any) -> tuple[tuple[Any, ...], Any]:
        proto = int(getattr(ip, "proto", getattr(ip, "nh", 0)))
        l4 = ip.payload if proto in (6, 17) else None
        sport = int(l4.sport) if l4 is not None and hasattr(l4, "sport") else None
        dport = int(l4.dport) if l4 is not None and hasattr(l4, "dport") else None
        transport = _TRANSPORTS.get(proto, str(proto))
        return (transport, str(ip.src), sport, str(ip.dst), dport), l4

    def expire(self, now: float) -> list[dict[str, Any]]:
        """Close the flows idle at ``now`` (live captures call it on a timer)."""
        return self._expire(now)

    def _expire(self, now: float) -> list[dict[str, Any]]:
        out = []
        while self.flows:
            key, oldest = next(iter(self.flows.items()))
            if now - oldest.last < self.idle_seconds:
                break
            del self.flows[key]
            out.append({**oldest.record("idle"), "index": oldest.first_index})
        return out

    def drain(self) -> list[dict[str, Any]]:
        out = [{**f.record("end-of-capture"), "index": f.first_index} for f in self.flows.values()]
        self.flows.clear()
        return out


def _reverse(key: tuple[Any, ...]) -> tuple[Any, ...]:
    transport, src, sport, dst, dport = key
    return (transport, dst, dport, src, sport)


def _ip_layer(packet: Any) -> Any:
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6

    if packet.haslayer(IP):
        return packet[IP]
    if packet.haslayer(IPv6):
        return packet[IPv6]
    return None


def _application(index: int, now: float, key: tuple[Any, ...], ip: Any) -> list[dict[str, Any]]:
    from scapy.layers.dns import DNS

    transport, src, sport, dst, dport = key
    base = {"index": index, "time": now, "transport": transport}
    base.update(src=src, sport=sport, dst=dst, dport=dport)
    if ip.haslayer(DNS):
        return [{**base, "type": "dns", **_dns(ip[DNS])}]
    if transport == "tcp":
        payload = bytes(ip.payload.payload)[:4096]
        if payload.startswith(_HTTP_METHODS):
            return [{**base, "type": "http", **_http(payload)}]
    return []


def _dns(dns: Any) -> dict[str, Any]:
    questions = []
    for i in range(int(dns.qdcount or 0)):
        try:
            q = dns.qd[i]
        except (IndexError, TypeError):
            break
        questions.append({"name": bytes(q.qname).decode("ascii", "replace").rstrip("."),
                          "type": int(q.qtype)})  # fmt: skip
    answers = []
    for i in range(min(int(dns.ancount or 0), 32)):
        try:
            rr = dns.an[i]
        except (IndexError, TypeError):
            break
        data = rr.rdata
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else str(data)
        answers.append({"type": int(rr.type), "data": text.rstrip("."), "ttl": int(rr.ttl)})
    return {"id": int(dns.id), "qr": int(dns.qr), "rcode": int(dns.rcode),
            "questions": questions[:8], "answers": answers}  # fmt: skip


def _http(payload: bytes) -> dict[str, Any]:
    head = payload.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    method, _, rest = request_line.partition(" ")
    target, _, version = rest.rpartition(" ") if rest.count(" ") else (rest, "", "")
    headers = {}
    for line in header_lines[:64]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return {"method": method, "target": target, "version": version.removeprefix("HTTP/"),
            "host": headers.get("host"), "user_agent": headers.get("user-agent")}  # fmt: skip


_DNS_TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA"}


class PacketMetadataParser(Parser):
    """Flow/DNS/HTTP metadata records (from ``PcapReader``) → ECS network events."""

    NAME = "pcap-metadata"
    DATASET = "network.flow"

    def matches(self, record: RawRecord) -> bool:
        return record.data.startswith(b'{"')

    def parse(self, record: RawRecord) -> Iterable[Event]:
        _, meta = load_json_object(record, "packet metadata")
        kind = meta.get("type")
        if kind not in ("flow", "dns", "http"):
            raise ParseError("packet metadata without a flow, dns or http type")
        event = new_event(record, dataset=f"network.{kind}", module="pcap", original=None)
        event["@timestamp"] = epoch_timestamp(meta.get("start", meta.get("time")), "packet time")
        _endpoints(event, meta)
        if kind == "flow":
            _flow_fields(event, meta)
        elif kind == "dns":
            _dns_fields(event, meta)
        else:
            _http_fields(event, meta)
        return [event]


def _endpoints(event: Event, meta: dict[str, Any]) -> None:
    for side, ip_key, port_key in (("source", "src", "sport"), ("destination", "dst", "dport")):
        if isinstance(meta.get(ip_key), str):
            set_field(event, f"{side}.ip", meta[ip_key])
        if isinstance(meta.get(port_key), int):
            set_field(event, f"{side}.port", meta[port_key])
    if isinstance(meta.get("transport"), str):
        set_field(event, "network.transport", meta["transport"])
    event["observer"] = {"type": "sensor", "product": "scapy"}
    if isinstance(meta.get("interface"), str):  # live capture
        event["observer"]["ingress"] = {"interface": {"name": meta["interface"]}}


def _flow_fields(event: Event, meta: dict[str, Any]) -> None:
    event["event"].update(category=["network"], type=["connection", "end"], action="flow")
    packets, octets = _pair(meta.get("packets")), _pair(meta.get("bytes"))
    set_field(event, "source.packets", packets[0])
    set_field(event, "destination.packets", packets[1])
    set_field(event, "source.bytes", octets[0])
    set_field(event, "destination.bytes", octets[1])
    set_field(event, "network.packets", packets[0] + packets[1])
    set_field(event, "network.bytes", octets[0] + octets[1])
    end, start = meta.get("end"), meta.get("start")
    if end is not None:
        event["event"]["end"] = epoch_timestamp(end, "flow end")
        event["event"]["duration"] = int((end - start) * 1e9)
    set_field(event, "event.reason", meta.get("reason"))


def _pair(value: Any) -> list[int]:
    if value is None:
        return [0, 0]
    ok = isinstance(value, list) and len(value) == 2
    if not ok or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ParseError("flow counters must be two integers")
    return [int(value[0]), int(value[1])]


def _dns_fields(event: Event, meta: dict[str, Any]) -> None:
    event["event"].update(category=["network"], type=["protocol"], action="dns")
    set_field(event, "network.protocol", "dns")
    set_field(event, "dns.id", str(meta.get("id")))
    set_field(event, "dns.type", "answer" if meta.get("qr") else "query")
    questions = meta.get("questions") or []
    answers = meta.get("answers") or []
    well_formed = isinstance(questions, list) and isinstance(answers, list)
    if not well_formed or not all(isinstance(x, dict) for x in [*questions, *answers]):
        raise ParseError("dns questions and answers must be lists of objects")
    if questions:
        set_field(event, "dns.question.name", questions[0].get("name"))
        qtype = questions[0].get("type")
        set_field(event, "dns.question.type", _DNS_TYPES.get(qtype, str(qtype)))
    if answers:
        set_field(event, "dns.answers", [
            {"type": _DNS_TYPES.get(a.get("type"), str(a.get("type"))), "data": a.get("data"),
             "ttl": a.get("ttl")}
            for a in answers
        ])  # fmt: skip
        ips = [a["data"] for a in answers if a.get("type") in (1, 28)]
        if ips:
            set_field(event, "dns.resolved_ip", ips)


def _http_fields(event: Event, meta: dict[str, Any]) -> None:
    event["event"].update(category=["network", "web"], type=["protocol", "access"], action="http")
    set_field(event, "network.protocol", "http")
    set_field(event, "http.request.method", meta.get("method"))
    target = str(meta.get("target") or "")
    path, _, query = target.partition("?")
    set_field(event, "url.original", target)
    set_field(event, "url.path", path)
    if query:
        set_field(event, "url.query", query)
    if meta.get("version"):
        set_field(event, "http.version", meta["version"])
    if meta.get("host"):
        set_field(event, "url.domain", meta["host"].split(":")[0])
    if meta.get("user_agent"):
        set_field(event, "user_agent.original", meta["user_agent"])
