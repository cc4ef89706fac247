"""Live capture (``type = "interface"``): the pcap reader's metadata from passing packets, bounded
backlog and idle expiry; and, as root, real traffic on ``lo`` through ``soc collect``'s code."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.dns import DNS, DNSQR

from collectors import interface
from collectors.base import DeadLetter, RawRecord
from collectors.checkpoints import JsonCheckpoints
from collectors.dispatch import parse_record
from collectors.interface import InterfaceCapture, open_capture_socket
from collectors.live import CollectorSet
from collectors.registry import SourceType
from soc.config import IngestSettings, SourceSettings
from soc.ecs import Event, get_field
from soc.errors import ConfigError
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from tests.collectors.test_pcap import packets


def direct(deliver: Callable[[Any], None], item: Any) -> None:
    deliver(item)


def capture(delivered: list[RawRecord | DeadLetter], **kwargs: Any) -> InterfaceCapture:
    return InterfaceCapture("eth9", delivered.append, direct, **kwargs)


def events_of(records: list[RawRecord | DeadLetter], kind: SourceType) -> list[Event]:
    out: list[Event] = []
    for record in records:
        assert isinstance(record, RawRecord)
        parsed = parse_record(kind.parsers, record, kind.name, 256)
        assert isinstance(parsed, list), parsed
        out.extend(parsed)
    return out


def test_passing_packets_give_the_pcap_metadata(source_types: dict[str, SourceType]) -> None:
    delivered: list[RawRecord | DeadLetter] = []
    live = capture(delivered, zone="man", agency="so-tttt")
    for packet in packets():
        live._packet(packet)
    live.stop()
    events = events_of(delivered, source_types["pcap"])
    datasets = sorted(e["event"]["dataset"] for e in events)
    assert datasets == [
        "network.dns",
        "network.dns",
        "network.flow",
        "network.flow",
        "network.http",
    ]
    http = next(e for e in events if e["event"]["dataset"] == "network.http")
    assert http["url"]["path"] == "/portal/login"
    assert http["observer"]["ingress"] == {"interface": {"name": "eth9"}}
    assert http["soc"] == {"zone": "man", "agency_id": "so-tttt"}
    assert all(r.source == "interface://eth9" and r.offset is None for r in delivered)
    assert len({e["event"]["id"] for e in events}) == len(events)


def test_idle_flows_close_on_the_timer_without_packets(source_types: dict[str, SourceType]) -> None:
    delivered: list[RawRecord | DeadLetter] = []
    live = capture(delivered, idle_seconds=30)
    dns_query = packets()[0]
    live._packet(dns_query)
    assert len(delivered) == 1  # the DNS message; its flow is still open
    live.tick(float(dns_query.time) + 10)
    assert len(delivered) == 1
    live.tick(float(dns_query.time) + 31)
    (flow,) = [e for e in events_of(delivered, source_types["pcap"])
               if e["event"]["dataset"] == "network.flow"]  # fmt: skip
    assert flow["event"]["reason"] == "idle"


def test_backlog_is_bounded_and_overflow_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interface, "BACKLOG_RECORDS", 3)
    held: list[tuple[Callable[[Any], None], Any]] = []
    delivered: list[RawRecord | DeadLetter] = []
    live = InterfaceCapture("eth9", delivered.append, lambda f, item: held.append((f, item)))
    for packet in packets():  # 4 metadata records, the collector takes none meanwhile
        live._packet(packet)
    assert len(held) == 3 and live.dropped == 1
    for deliver, item in held:
        deliver(item)
    live.tick(0.0)
    letter = held[-1][1]
    assert isinstance(letter, DeadLetter) and "metadata records dropped: 1" in letter.reason
    assert live.backlog == 0 and live.dropped == 0


def test_unknown_interface_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nosuchif0"):
        open_capture_socket("nosuchif0", None)


needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="capturing on lo needs root"
)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_exchange(port: int) -> None:
    """One HTTP request to a local one-shot server, both ends closed (a complete TCP flow)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", port))
        server.listen(1)

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

        thread = threading.Thread(target=answer)
        thread.start()
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(
                b"GET /dvc/tra-cuu?ma=1 HTTP/1.1\r\nHost: dichvucong.danang.gov.vn\r\n\r\n"
            )
            client.recv(4096)
        thread.join(5)


def dns_query() -> None:
    query = bytes(DNS(id=4242, rd=1, qd=DNSQR(qname="egov.danang.gov.vn")))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(query, ("127.0.0.1", 53))


@needs_root
def test_live_capture_on_loopback_through_the_collector(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    http_port = free_port(socket.SOCK_STREAM)
    store = SqliteEventStore(tmp_path / "events.db")
    source = SourceSettings(
        name="lo", type="interface", source_type="pcap", zone="lab",
        options={"interface": "lo", "filter": f"host 127.0.0.1 and (port 53 or port {http_port})"},
    )  # fmt: skip

    async def scenario() -> None:
        collectors = CollectorSet(
            [source], source_types, lambda _: Pipeline(store, batch_size=50),
            JsonCheckpoints(tmp_path / "checkpoints.json"), tmp_path, IngestSettings(),
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.create_task(collectors.run(stop))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(http_exchange, http_port)
        await asyncio.to_thread(dns_query)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            if store.count(EventQuery(dataset="network.http")) and store.count(
                EventQuery(dataset="network.dns")
            ):
                break
        stop.set()
        await running

    asyncio.run(scenario())
    (http,) = store.search(EventQuery(dataset="network.http"))  # loopback shows it once, not twice
    assert (
        http["url"]["path"] == "/dvc/tra-cuu"
        and http["url"]["domain"] == "dichvucong.danang.gov.vn"
    )
    assert http["destination"] == {"ip": "127.0.0.1", "port": http_port}
    assert http["observer"]["ingress"]["interface"]["name"] == "lo"
    assert http["soc"]["zone"] == "lab"
    (dns,) = store.search(EventQuery(dataset="network.dns"))
    assert get_field(dns, "dns.question.name") == "egov.danang.gov.vn"
    flows = store.search(EventQuery(dataset="network.flow", limit=10))
    ours = [
        e for e in flows if http_port in (e["source"].get("port"), e["destination"].get("port"))
    ]
    closed = [e for e in ours if get_field(e, "event.reason") == "closed"]
    assert len(closed) == 1 and get_field(closed[0], "destination.port") == http_port
    assert get_field(closed[0], "source.packets") >= 3
    store.close()
