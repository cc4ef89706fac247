"""Sample traffic for the SOC Suricata rules: typed specs (samples.yaml) made into pcaps (scapy).

Every TCP session is complete (handshake, data, FIN) or Suricata's stream engine ignores it.
Each sample gets its own client address so an alert can be traced back to the sample it came
from; inbound clients use TEST-NET ranges, HOME_NET hosts 10.20.0.0/16 and 10.30.0.0/16.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from detections.suricata.rulefile import PROJECT_RULES_DIR
from soc.errors import ContentError

SAMPLES_FILE = PROJECT_RULES_DIR / "samples.yaml"
SAMPLE_HOME_NET = "[10.0.0.0/8]"
PORTAL = "10.20.1.10"
# Fixed MAC addresses: without them scapy tries to resolve each destination (slow, noisy).
CLIENT_MAC, SERVER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
RESOLVER = "10.20.0.53"
SEGMENT = 1400  # payload bytes per TCP segment
BASE_TIME = 1_795_400_000.0  # 2026-11-23T02:13:20Z: a fixed clock keeps pcaps reproducible
SAMPLE_SPACING = 300.0  # seconds between samples: thresholds never see two samples at once

Polarity = Literal["positive", "negative"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpExchange(_Spec):
    method: str = "GET"
    uri: str
    host: str = "dichvucong.danang.gov.vn"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str = ""
    status: int = Field(default=200, ge=100, le=599)
    response_body: str = "<html><body>OK</body></html>"


class TcpExchange(_Spec):
    client: str = ""
    server: str = ""


class DnsQuery(_Spec):
    name: str
    answer: str = "203.0.113.10"


class Session(_Spec):
    http: HttpExchange | None = None
    tcp: TcpExchange | None = None
    dns: DnsQuery | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    # inbound: an Internet client to a HOME_NET server; outbound: a HOME_NET host talking out.
    # Default: outbound for DNS (hosts asking the resolver), inbound for the rest.
    direction: Literal["inbound", "outbound"] | None = None
    repeat: int = Field(default=1, ge=1, le=200)
    interval: float = Field(default=1.0, ge=0.001, le=600)
    expect: list[int] | None = None  # SIDs a positive session raises (default: its rule's)

    @model_validator(mode="after")
    def _one_kind(self) -> Session:
        kinds = [k for k in ("http", "tcp", "dns") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a session is exactly one of http, tcp or dns")
        if self.tcp is not None and self.port is None:
            raise ValueError("a tcp session needs a port")
        return self

    @property
    def outbound(self) -> bool:
        return self.direction == "outbound" or (self.direction is None and self.dns is not None)

    @property
    def server_port(self) -> int:
        return self.port or (53 if self.dns is not None else 80)


class RuleSamples(_Spec):
    sid: int
    positive: list[Session] = Field(min_length=1)
    negative: list[Session] = Field(min_length=1)


def load_samples(path: Path = SAMPLES_FILE) -> list[RuleSamples]:
    """The sample specs, validated; every problem names the file and the SID."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ContentError(f"cannot read samples: {e}", source=path) from e
    if not isinstance(raw, list):
        raise ContentError("expected a list of {sid, positive, negative}", source=path)
    specs: list[RuleSamples] = []
    for item in raw:
        try:
            specs.append(RuleSamples.model_validate(item))
        except ValidationError as e:
            sid = item.get("sid") if isinstance(item, dict) else None
            raise ContentError(f"sample for sid {sid}: {e.errors()[0]['msg']}", source=path) from e
    seen = [s.sid for s in specs]
    if len(seen) != len(set(seen)):
        raise ContentError("a SID has two sample entries", source=path)
    return specs


@dataclass(frozen=True, slots=True)
class PlacedSample:
    """A session as written into a pcap: whose it is and the client address that marks it."""

    sid: int
    polarity: Polarity
    index: int
    client: str
    server: str
    expect: frozenset[int]


class _Addresses:
    """Hands out a fresh client (and external server) address per sample."""

    def __init__(self) -> None:
        self._inbound = iter(
            [
                str(ip)
                for net in ("198.51.100.0/24", "203.0.113.0/24")
                for ip in ipaddress.ip_network(net).hosts()
            ]
        )
        self._internal = (str(ip) for ip in ipaddress.ip_network("10.30.0.0/16").hosts())
        self._external = (str(ip) for ip in ipaddress.ip_network("192.0.2.0/24").hosts())

    def pair(self, session: Session) -> tuple[str, str]:
        if session.outbound:
            server = RESOLVER if session.dns is not None else next(self._external)
            return next(self._internal), server
        return next(self._inbound), RESOLVER if session.dns is not None else PORTAL


def http_payloads(exchange: HttpExchange) -> tuple[bytes, bytes]:
    body = exchange.body.encode()
    headers = {"Host": exchange.host, "User-Agent": "Mozilla/5.0 (SOC sample)", "Accept": "*/*"}
    headers.update(exchange.headers)
    if body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        headers["Content-Length"] = str(len(body))
    head = f"{exchange.method} {exchange.uri} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    reply_body = exchange.response_body.encode()
    reason = {200: "OK", 401: "Unauthorized", 404: "Not Found"}.get(exchange.status, "Status")
    reply = (
        f"HTTP/1.1 {exchange.status} {reason}\r\nServer: nginx\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(reply_body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    return head.encode() + body, reply + reply_body


def _latin1(text: str) -> bytes:
    # tcp payloads are byte strings written with YAML escapes (\x00); code points < 256 only
    return text.encode("latin-1")


class TcpConversation:
    """Packets of one TCP connection with consistent sequence numbers and a 1 ms clock."""

    def __init__(self, client: str, sport: int, server: str, dport: int, t0: float) -> None:
        self.ends = {"client": (client, sport, CLIENT_MAC), "server": (server, dport, SERVER_MAC)}
        self.seq = {"client": 1000, "server": 50000}
        self.clock = t0
        self.packets: list[Any] = []

    def _send(self, side: str, flags: str, data: bytes = b"") -> None:
        from scapy.layers.inet import IP, TCP
        from scapy.layers.l2 import Ether

        other = "server" if side == "client" else "client"
        (src, sport, smac), (dst, dport, dmac) = self.ends[side], self.ends[other]
        ack = self.seq[other] if "A" in flags else 0
        pkt = (
            Ether(src=smac, dst=dmac)
            / IP(src=src, dst=dst)
            / TCP(sport=sport, dport=dport, flags=flags, seq=self.seq[side], ack=ack, window=64240)
        )
        if data:
            pkt = pkt / data
        self.clock += 0.001
        pkt.time = self.clock
        self.packets.append(pkt)
        self.seq[side] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    def open(self) -> None:
        self._send("client", "S")
        self._send("server", "SA")
        self._send("client", "A")

    def say(self, side: str, data: bytes) -> None:
        """``side`` sends ``data`` in segments, each acknowledged by the other side."""
        other = "server" if side == "client" else "client"
        for start in range(0, len(data), SEGMENT):
            self._send(side, "PA", data[start : start + SEGMENT])
            self._send(other, "A")

    def close(self) -> None:
        self._send("client", "FA")
        self._send("server", "FA")
        self._send("client", "A")


def tcp_session(
    client: str, sport: int, server: str, dport: int, request: bytes, reply: bytes, t0: float
) -> list[Any]:
    """Handshake, request, reply, FIN/ACK teardown: what Suricata needs to reassemble a stream."""
    conversation = TcpConversation(client, sport, server, dport, t0)
    conversation.open()
    conversation.say("client", request)
    conversation.say("server", reply)
    conversation.close()
    return conversation.packets


def dns_exchange(client: str, sport: int, server: str, query: DnsQuery, t0: float) -> list[Any]:
    from scapy.layers.dns import DNS, DNSQR, DNSRR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    txid = sport & 0xFFFF
    ask = (
        Ether(src=CLIENT_MAC, dst=SERVER_MAC)
        / IP(src=client, dst=server)
        / UDP(sport=sport, dport=53)
        / DNS(id=txid, rd=1, qd=DNSQR(qname=query.name))
    )
    answer = (
        Ether(src=SERVER_MAC, dst=CLIENT_MAC)
        / IP(src=server, dst=client)
        / UDP(sport=53, dport=sport)
        / DNS(
            id=txid,
            qr=1,
            aa=0,
            rd=1,
            ra=1,
            qd=DNSQR(qname=query.name),
            an=DNSRR(rrname=query.name, ttl=300, rdata=query.answer),
        )
    )
    ask.time, answer.time = t0 + 0.001, t0 + 0.02
    return [ask, answer]


def session_packets(session: Session, client: str, server: str, t0: float) -> list[Any]:
    packets: list[Any] = []
    for n in range(session.repeat):
        start, sport = t0 + n * session.interval, 40000 + n
        if session.dns is not None:
            packets += dns_exchange(client, sport, server, session.dns, start)
            continue
        if session.http is not None:
            request, reply = http_payloads(session.http)
        else:
            assert session.tcp is not None
            request, reply = _latin1(session.tcp.client), _latin1(session.tcp.server)
        packets += tcp_session(client, sport, server, session.server_port, request, reply, start)
    return packets


def _placements(
    specs: Sequence[RuleSamples], polarity: Polarity
) -> Iterator[tuple[RuleSamples, int, Session]]:
    for spec in specs:
        for index, session in enumerate(getattr(spec, polarity)):
            yield spec, index, session


def write_sample_pcap(
    specs: Sequence[RuleSamples], polarity: Polarity, path: Path
) -> list[PlacedSample]:
    """All positive (or negative) sessions in one pcap, time-ordered; returns where each went."""
    from scapy.utils import wrpcap

    addresses = _Addresses()
    placed: list[PlacedSample] = []
    packets: list[Any] = []
    for slot, (spec, index, session) in enumerate(_placements(specs, polarity)):
        client, server = addresses.pair(session)
        packets += session_packets(session, client, server, BASE_TIME + slot * SAMPLE_SPACING)
        expect = frozenset(session.expect or [spec.sid]) if polarity == "positive" else frozenset()
        placed.append(PlacedSample(spec.sid, polarity, index, client, server, expect))
    path.parent.mkdir(parents=True, exist_ok=True)
    packets.sort(key=lambda p: float(p.time))
    wrpcap(str(path), packets)
    return placed
