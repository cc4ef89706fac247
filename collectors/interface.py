"""Live capture on a network interface (scapy): the flow, DNS and HTTP metadata that the pcap
reader makes from a file, made from packets as they pass, with the same bounded flow table."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from collectors.base import DeadLetter, RawRecord
from collectors.pcap import IDLE_SECONDS, MAX_FLOWS, FlowTable, load_scapy
from soc.ecs import utc_now
from soc.errors import ConfigError

BACKLOG_RECORDS = 20_000  # metadata records handed over but not yet taken by the collector
Deliver = Callable[[RawRecord | DeadLetter], None]
Schedule = Callable[[Deliver, RawRecord | DeadLetter], None]


class InterfaceCapture:
    """Sniffs ``interface`` in a scapy thread and hands metadata records to ``deliver``.

    ``schedule(deliver, record)`` must run ``deliver(record)`` in the collector's thread (for an
    asyncio collector: at once when already there, else ``loop.call_soon_threadsafe``). Memory
    is bounded by the flow table (``max_flows``) and by ``BACKLOG_RECORDS`` records scheduled but
    not yet delivered: beyond that, records are counted and reported as one dead letter at the
    next ``tick``, never dropped silently. ``tick`` also closes flows idle for ``idle_seconds``
    when no packet arrives to do it.
    """

    def __init__(
        self,
        interface: str,
        deliver: Deliver,
        schedule: Schedule,
        *,
        bpf_filter: str | None = None,
        max_flows: int = MAX_FLOWS,
        idle_seconds: float = IDLE_SECONDS,
        zone: str | None = None,
        agency: str | None = None,
    ) -> None:
        self.interface = interface
        self.deliver = deliver
        self.schedule = schedule
        self.bpf_filter = bpf_filter
        self.zone = zone
        self.agency = agency
        self.source = f"interface://{interface}"
        self.table = FlowTable(max_flows, idle_seconds)
        self.packets = 0
        self.backlog = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._sniffer: Any = None

    def start(self) -> None:
        """Open the capture socket here (so a missing privilege is reported at once) and sniff."""
        load_scapy()
        from scapy.sendrecv import AsyncSniffer

        sock = open_capture_socket(self.interface, self.bpf_filter)
        self._sniffer = AsyncSniffer(opened_socket=sock, store=False, prn=self._packet)
        self._sniffer.start()

    def tick(self, now: float) -> None:
        """Close idle flows; report records dropped because the collector fell behind."""
        with self._lock:
            metas = self.table.expire(now)
            dropped, self.dropped = self.dropped, 0
        if dropped:
            reason = f"capture backlog full, metadata records dropped: {dropped}"
            self.schedule(self.deliver, DeadLetter(self.source, reason, b"", None, "pcap"))
        for meta in metas:
            self._hand(meta)

    def stop(self) -> None:
        """Stop sniffing and hand over every flow still open."""
        if self._sniffer is not None and self._sniffer.running:
            self._sniffer.stop(join=True)
        with self._lock:
            metas = self.table.drain()
        for meta in metas:
            self._hand(meta)

    def _packet(self, packet: Any) -> None:
        with self._lock:
            metas = self.table.add(self.packets, packet)
            self.packets += 1
        for meta in metas:
            self._hand(meta)

    def _hand(self, meta: dict[str, Any]) -> None:
        with self._lock:
            if self.backlog >= BACKLOG_RECORDS:
                self.dropped += 1
                return
            self.backlog += 1
        meta["interface"] = self.interface
        data = orjson.dumps(meta)
        record = RawRecord(data, self.source, None, None, utc_now(), "pcap", self.zone, self.agency)
        self.schedule(self._delivered, record)

    def _delivered(self, record: RawRecord | DeadLetter) -> None:
        with self._lock:
            self.backlog -= 1
        self.deliver(record)


def open_capture_socket(interface: str, bpf_filter: str | None) -> Any:
    """A scapy layer-2 socket on ``interface``; on loopback, the copy of each packet the kernel
    shows as outgoing is skipped (every packet would otherwise be seen twice)."""
    from scapy.config import conf
    from scapy.data import ETH_P_ALL
    from scapy.error import Scapy_Exception

    kind = conf.L2socket if _is_loopback(interface) else conf.L2listen
    try:
        return kind(iface=interface, type=ETH_P_ALL, filter=bpf_filter)
    except PermissionError as e:
        raise ConfigError(
            f"capturing on {interface} needs privileges: {e}",
            hint="run as root or give the interpreter CAP_NET_RAW",
        ) from e
    except (OSError, ValueError, Scapy_Exception, ImportError) as e:
        raise ConfigError(
            f"cannot capture on {interface!r}: {e}",
            hint="check the interface name (ip link) and the BPF filter",
        ) from e


def _is_loopback(interface: str) -> bool:
    kind = Path("/sys/class/net") / interface / "type"
    try:
        return kind.read_text().strip() == "772"  # ARPHRD_LOOPBACK
    except OSError:
        return interface == "lo"
