"""Syslog over UDP and TCP on loopback into the embedded store (part of bench_ingest.py).

The server is the collectors' own listener (``collectors.syslog_server``) feeding the same
``RecordPump`` as ``soc collect``, with enrichment and SQLite commits, in a process pinned to
CPU 0; the sender is another process pinned to CPU 1, bound to 127.0.0.1 and sending a fixed,
numbered set of messages: TCP flat out; UDP flat out, then paced at 10,000 and 5,000 messages/s.
UDP loss is reported as it is: messages the kernel dropped before the listener saw them, and
messages the listener refused because its queue was full.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from shutil import which
from typing import Any

from bench.bench_ingest import ROOT, bench_enrichers, cpu_seconds, peak_rss_mb, syslog_corpus

HOST = "127.0.0.1"
IDLE_SECONDS = 2.0  # nothing new for this long after the sender finished: the rest was lost
START_SECONDS = 60.0
UDP_RECEIVE_BUFFER = 8 * 1_048_576


def messages(count: int) -> list[bytes]:
    corpus = syslog_corpus()
    return [f"<38>{corpus[i % len(corpus)]} #{i}".encode() for i in range(count)]


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class _Committed:
    """Pipeline observer: when the last batch was committed and how many events so far."""

    def __init__(self) -> None:
        self.events = 0
        self.at = 0.0

    def committed(self, events: Sequence[Any]) -> None:
        self.events += len(events)
        self.at = time.perf_counter()


class _Arrivals:
    """Counts what the listener hands over; notes the time and CPU of the first record."""

    def __init__(self, pump: Any) -> None:
        self.pump = pump
        self.count = 0
        self.first = 0.0
        self.cpu = 0.0

    def _arrived(self) -> None:
        if not self.count:
            self.first, self.cpu = time.perf_counter(), cpu_seconds()
        self.count += 1

    def offer(self, item: Any) -> None:  # UDP: never waits
        self._arrived()
        self.pump.offer(item)

    async def put(self, item: Any) -> None:  # TCP: waits when the queue is full
        self._arrived()
        await self.pump.queue.put(item)


async def serve(protocol: str, count: int, port: int, work: Path) -> dict[str, Any]:
    from collectors.live import RecordPump
    from collectors.registry import build_source_types
    from collectors.syslog_server import ListenerContext, serve_stream, serve_udp
    from soc.config import IngestSettings
    from soc.pipeline import Pipeline
    from soc.stores.sqlite import SqliteEventStore

    store = SqliteEventStore(work / f"net-{protocol}-{os.getpid()}.db")
    committed = _Committed()
    pipeline = Pipeline(store, batch_size=2000, enrichers=bench_enrichers(), observers=[committed])
    pump = RecordPump(build_source_types(IngestSettings())["syslog"], pipeline)
    arrivals = _Arrivals(pump)
    context = ListenerContext("syslog", receive_buffer_bytes=UDP_RECEIVE_BUFFER)
    stop = asyncio.Event()
    pumping = asyncio.create_task(pump.run(stop))
    buffer = 0
    if protocol == "udp":
        listener = await serve_udp(HOST, port, arrivals.offer, context)
        buffer, close = listener.receive_buffer_bytes, listener.close
    else:
        close = (await serve_stream(HOST, port, arrivals.put, context)).close
    print("ready", flush=True)
    await _until_done(pipeline, committed, arrivals, count)
    close()
    stop.set()
    await pumping
    pipeline.flush()
    store.close()
    stats = pipeline.stats.total
    return {
        "received": arrivals.count, "stored": stats.ingested, "refused": stats.rejected,
        "seconds": max(committed.at - arrivals.first, 1e-9), "cpu": cpu_seconds() - arrivals.cpu,
        "rss_mb": peak_rss_mb(), "receive_buffer": buffer,
    }  # fmt: skip


async def _until_done(
    pipeline: Any, committed: _Committed, arrivals: _Arrivals, count: int
) -> None:
    started = last_change = time.perf_counter()
    seen = -1
    while True:
        await asyncio.sleep(0.05)
        now = time.perf_counter()
        done = committed.events + pipeline.stats.total.rejected
        if done >= count:
            return
        if done != seen:
            seen, last_change = done, now
        if arrivals.count and now - last_change > IDLE_SECONDS:
            return
        if not arrivals.count and now - started > START_SECONDS:
            return


def send(protocol: str, count: int, port: int, rate: float) -> dict[str, Any]:
    """Send ``count`` numbered messages; ``rate`` (per second) paces UDP, 0 means flat out."""
    payload = messages(count)
    started = time.perf_counter()
    if protocol == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
            for i, message in enumerate(payload):
                out.sendto(message, (HOST, port))
                if rate and i % 100 == 99:
                    ahead = started + (i + 1) / rate - time.perf_counter()
                    if ahead > 0:
                        time.sleep(ahead)
    else:
        with socket.create_connection((HOST, port)) as out:
            for start in range(0, count, 1000):
                out.sendall(b"\n".join(payload[start : start + 1000]) + b"\n")
            out.shutdown(socket.SHUT_WR)
    return {"sent": count, "seconds": time.perf_counter() - started}


def network_child(argv: list[str]) -> dict[str, Any]:
    role, protocol, count, port = argv[0], argv[1], int(argv[2]), int(argv[3])
    if role == "send":
        return send(protocol, count, port, float(argv[4]))
    from collectors.allocation import bulk_allocation

    with bulk_allocation():  # as CollectorSet.run does for soc collect
        return asyncio.run(serve(protocol, count, port, Path(argv[4])))


def _command(args: list[str], cpu: int) -> list[str]:
    code = (
        "import json,sys; sys.path.insert(0, sys.argv[1]);"
        "from bench.bench_ingest import child_main; print(json.dumps(child_main(sys.argv[2:])))"
    )
    command = [sys.executable, "-c", code, str(ROOT), *args]
    return ["taskset", "-c", str(cpu), *command] if which("taskset") else command


def one_run(protocol: str, count: int, work: Path, rate: float) -> dict[str, Any]:
    """A server process and a sender process; the server's figures plus what was sent."""
    port = free_port(socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        _command(["serve", protocol, str(count), str(port), str(work)], 0),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"syslog server did not start: {server.communicate()[1][-2000:]}")
        sender = subprocess.run(
            _command(["send", protocol, str(count), str(port), str(rate)], 1),
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        out, err = server.communicate(timeout=600)
    finally:
        if server.poll() is None:
            server.kill()
    if server.returncode != 0:
        raise RuntimeError(f"syslog server failed: {err[-2000:]}")
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    sent = json.loads(sender.stdout.strip().splitlines()[-1])
    return {**figures, "sent": sent["sent"], "send_seconds": sent["seconds"]}


def network_table(work: Path, count: int, repeat: int) -> list[str]:
    rows = [
        "| syslog over | sent | stored | lost in kernel | refused (queue full) | ev/s (wall) "
        "| ev/s (CPU) | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for protocol, rate in (("tcp", 0.0), ("udp", 0.0), ("udp", 10_000.0), ("udp", 5_000.0)):
        runs = [one_run(protocol, count, work, rate) for _ in range(repeat)]
        best = max(runs, key=lambda r: r["stored"] / max(r["cpu"], 1e-9))
        label = f"{protocol.upper()} " + (f"paced {rate:,.0f}/s" if rate else "flat out")
        lost = best["sent"] - best["received"]
        rows.append(
            f"| {label} | {best['sent']:,} | {best['stored']:,} | {lost:,} "
            f"| {best['refused']:,} | {best['stored'] / best['seconds']:,.0f} "
            f"| {best['stored'] / max(best['cpu'], 1e-9):,.0f} "
            f"| {max(r['rss_mb'] for r in runs):.0f} |"
        )
        print(rows[-1], flush=True)
        if protocol == "udp" and not rate:
            print(f"(UDP receive buffer granted by the kernel: {best['receive_buffer']:,} bytes)")
    return rows
