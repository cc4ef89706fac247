"""Packet captures: flows, DNS and HTTP metadata; bounded flow table; unreadable files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import RawPcapWriter, wrpcap

from collectors.base import DeadLetter, RawRecord
from collectors.ingest import ingest_files
from collectors.pcap import PcapReader
from collectors.registry import SourceType
from soc.ecs import get_field
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore

CLIENT, SERVER, RESOLVER = "10.1.1.10", "10.2.2.20", "10.0.0.53"


def packets() -> list[Any]:
    t = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    http = (
        b"GET /portal/login?x=1 HTTP/1.1\r\nHost: dichvucong.danang.gov.vn\r\nUser-Agent: t\r\n\r\n"
    )
    frames = [
        Ether() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=5353, dport=53)
        / DNS(id=7, rd=1, qd=DNSQR(qname="dichvucong.danang.gov.vn")),
        Ether() / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=53, dport=5353)
        / DNS(id=7, qr=1, qd=DNSQR(qname="dichvucong.danang.gov.vn"),
              an=DNSRR(rrname="dichvucong.danang.gov.vn", rdata=SERVER, ttl=60)),
        Ether() / IP(src=CLIENT, dst=SERVER) / TCP(sport=40000, dport=80, flags="S"),
        Ether() / IP(src=SERVER, dst=CLIENT) / TCP(sport=80, dport=40000, flags="SA"),
        Ether() / IP(src=CLIENT, dst=SERVER) / TCP(sport=40000, dport=80, flags="PA") / Raw(http),
        Ether() / IP(src=CLIENT, dst=SERVER) / TCP(sport=40000, dport=80, flags="FA"),
    ]  # fmt: skip
    for i, frame in enumerate(frames):
        frame.time = t + i
    return frames


def write_pcap(path: Path) -> Path:
    wrpcap(str(path), packets())
    return path


def test_capture_becomes_flow_dns_and_http_events(
    tmp_path: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    ingest_files([write_pcap(tmp_path / "c.pcap")], source_types["pcap"], pipeline)
    (http,) = store.search(EventQuery(dataset="network.http"))
    assert http["@timestamp"] == "2026-01-01T00:00:04.000000Z"
    assert http["source"] == {"ip": CLIENT, "port": 40000}
    assert http["destination"] == {"ip": SERVER, "port": 80}
    assert http["url"] == {
        "original": "/portal/login?x=1",
        "path": "/portal/login",
        "query": "x=1",
        "domain": "dichvucong.danang.gov.vn",
    }
    assert http["http"] == {"request": {"method": "GET"}, "version": "1.1"}
    dns = store.search(EventQuery(dataset="network.dns", limit=10))
    answer = next(e for e in dns if get_field(e, "dns.type") == "answer")
    assert get_field(answer, "dns.question.name") == "dichvucong.danang.gov.vn"
    assert get_field(answer, "dns.resolved_ip") == [SERVER]
    flows = store.search(EventQuery(dataset="network.flow", limit=10))
    tcp = next(e for e in flows if get_field(e, "network.transport") == "tcp")
    assert get_field(tcp, "event.reason") == "closed"
    assert (get_field(tcp, "source.packets"), get_field(tcp, "destination.packets")) == (3, 1)
    assert get_field(tcp, "event.duration") == 3_000_000_000
    assert pipeline.stats.counters("pcap").rejected == 0


def test_flow_table_is_bounded(tmp_path: Path) -> None:
    frames = [
        Ether() / IP(src=f"10.0.0.{i + 1}", dst=SERVER) / UDP(sport=1000 + i, dport=9)
        for i in range(50)
    ]
    for i, frame in enumerate(frames):
        frame.time = 1_767_225_600.0 + i / 100
    wrpcap(str(tmp_path / "many.pcap"), frames)
    reader = PcapReader(max_flows=4)
    with (tmp_path / "many.pcap").open("rb") as stream:
        records = list(reader.read(stream, "mem"))
    assert len(records) == 50
    assert all(isinstance(r, RawRecord) for r in records)
    assert sum(b'"evicted"' in r.data for r in records if isinstance(r, RawRecord)) == 46


ROOT = Path(__file__).resolve().parents[2]
# Ingests the capture given as argument in a process where scapy is not loaded yet, prints the
# datasets of the events (and the reasons of dead letters) it makes.
_INGEST_ONE_CAPTURE = """
import collections, json, sys
from collectors.base import DeadLetter, source_key
from collectors.dispatch import parse_record
from collectors.registry import build_source_types
from soc.config import IngestSettings
kind = build_source_types(IngestSettings())["pcap"]
seen = collections.Counter()
with open(sys.argv[1], "rb") as stream:
    for item in kind.reader.read(stream, source_key(sys.argv[1])):
        if not isinstance(item, DeadLetter):
            item = parse_record(kind.parsers, item, "pcap", 100)
        if isinstance(item, DeadLetter):
            seen[item.reason] += 1
        else:
            seen.update(event["event"]["dataset"] for event in item)
print(json.dumps(seen))
"""


@pytest.mark.parametrize(
    ("capture", "expected"),
    [
        ("dns-eve-v2-udp-nxdomain-soa/dns-udp-nxdomain-soa.pcap",
         {"network.flow": 1, "network.dns": 2}),
        ("eve-metadata-01-alert/80000000-037-PTP_Example_IPv4_HTTP_Session-PUBLIC-tp-01-TEST1.pcap",
         {"network.flow": 1, "network.http": 1}),
        ("tls-alpn-log-detect-02/input.pcap", {"network.flow": 1}),  # raw IP link type
    ],
)  # fmt: skip
def test_the_first_capture_of_a_fresh_process_is_decoded_quietly(
    datasets: Path, capture: str, expected: dict[str, int]
) -> None:
    path = datasets / "suricata-verify-dev" / "tests" / capture
    command = [sys.executable, "-c", _INGEST_ONE_CAPTURE, str(path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected
    assert done.stderr == ""  # scapy's warnings go to our log at debug level, not to stderr


def test_a_capture_of_a_link_type_scapy_cannot_decode_is_a_dead_letter(tmp_path: Path) -> None:
    path = tmp_path / "c-hdlc.pcap"
    with RawPcapWriter(str(path), linktype=104) as writer:  # Cisco HDLC
        writer.write(b"\x0f\x00\x08\x00" + bytes(IP(src=CLIENT, dst=SERVER) / UDP()))
    with path.open("rb") as stream:
        (letter,) = list(PcapReader().read(stream, "mem"))
    assert isinstance(letter, DeadLetter)
    assert letter.reason == "unsupported link type 104 of the capture"


def test_not_a_capture_is_a_dead_letter() -> None:
    (letter,) = list(PcapReader().read(io.BytesIO(b"definitely not a pcap"), "mem"))
    assert isinstance(letter, DeadLetter) and "not a readable capture file" in letter.reason


def test_packets_after_a_fin_do_not_open_a_new_flow_but_a_new_syn_does(tmp_path: Path) -> None:
    t = 1_767_225_600.0
    c, s = IP(src=CLIENT, dst=SERVER), IP(src=SERVER, dst=CLIENT)
    frames = [
        Ether() / c / TCP(sport=40001, dport=80, flags="S"),
        Ether() / s / TCP(sport=80, dport=40001, flags="SA"),
        Ether() / c / TCP(sport=40001, dport=80, flags="FA"),
        Ether() / s / TCP(sport=80, dport=40001, flags="FA"),  # the peer's FIN: same connection
        Ether() / c / TCP(sport=40001, dport=80, flags="A"),
        Ether() / c / TCP(sport=40001, dport=80, flags="S"),  # the port reused: a new flow
    ]  # fmt: skip
    for i, frame in enumerate(frames):
        frame.time = t + i / 10
    wrpcap(str(tmp_path / "fin.pcap"), frames)
    with (tmp_path / "fin.pcap").open("rb") as stream:
        records = [r for r in PcapReader().read(stream, "mem") if isinstance(r, RawRecord)]
    reasons = [b'"closed"' in r.data for r in records]
    assert len(records) == 2 and reasons == [True, False]  # closed, then end-of-capture
