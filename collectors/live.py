"""``soc collect``: the configured sources (tailers, syslog listeners, HTTP receiver) in one loop.

Every source has its own pipeline in front of a disk spool, so a store outage delays events
instead of losing them; the pipelines share the store, the enrichers and the observers.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collectors.allocation import bulk_allocation
from collectors.base import DeadLetter, RawRecord
from collectors.checkpoints import CheckpointStore
from collectors.http_receiver import EventReceiver, ReceiverLimits, TokenRegistry
from collectors.ingest import feed
from collectors.interface import InterfaceCapture
from collectors.pcap import IDLE_SECONDS, MAX_FLOWS
from collectors.registry import SourceType, source_type
from collectors.spool import SpoolingStore
from collectors.syslog_server import (
    ListenerContext,
    parse_address,
    serve_stream,
    serve_udp,
    tls_context,
)
from collectors.tailer import FileTailer
from soc.config import IngestSettings, SourceSettings
from soc.ecs import Event
from soc.errors import ConfigError, StoreUnavailable
from soc.pipeline import Pipeline

QUEUE_RECORDS = 20_000
BATCH_RECORDS = 1_000
FLUSH_SECONDS = 0.5
GATHER_RECORDS = 100  # fewer queued than this: wait GATHER_SECONDS for more before parsing
GATHER_SECONDS = 0.005
DRAIN_SECONDS = 5.0
TICK_SECONDS = 1.0  # live captures close idle flows this often
UDP_RECEIVE_BUFFER = 8 * 1_048_576  # a burst of ~40,000 syslog datagrams waits in the kernel
PipelineFactory = Callable[[SourceSettings], Pipeline]


class RecordPump:
    """Bounded queue between network listeners and a pipeline; batches and commits often."""

    def __init__(self, kind: SourceType, sink: Pipeline, maxsize: int = QUEUE_RECORDS) -> None:
        self.kind = kind
        self.sink = sink
        self.queue: asyncio.Queue[RawRecord | DeadLetter] = asyncio.Queue(maxsize)
        self.unflushed = 0  # records handed to the pipeline since its last commit

    def offer(self, item: RawRecord | DeadLetter) -> None:
        """For senders that cannot wait (UDP): a full queue turns the record into a dead letter."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            data = item.data if isinstance(item, RawRecord) else item.raw
            letter = DeadLetter(item.source, "collector queue full", data[:4096], None,
                                self.kind.name)  # fmt: skip
            self.sink.reject(letter)

    async def run(self, stop: asyncio.Event) -> None:
        """Parse what arrives as it arrives; commit every ``FLUSH_SECONDS`` (or when the
        pipeline's batch is full), not after every wake-up: small commits cost more than parsing.
        """
        flushed = time.monotonic()
        while not (stop.is_set() and self.queue.empty()):
            batch = await self._take()
            now = time.monotonic()
            self.commit(batch, flush=not batch or now - flushed >= FLUSH_SECONDS)
            if not batch or now - flushed >= FLUSH_SECONDS:
                flushed = now
            await asyncio.sleep(0)  # let the listeners read their sockets between batches
        self.commit([], flush=True)

    async def _take(self) -> list[RawRecord | DeadLetter]:
        """What is queued (up to BATCH_RECORDS), waiting up to FLUSH_SECONDS for a first record
        and a moment more when only a few came, so records are parsed in batches."""
        queue = self.queue
        batch: list[RawRecord | DeadLetter] = []
        if queue.empty():
            try:
                batch.append(await asyncio.wait_for(queue.get(), timeout=FLUSH_SECONDS))
            except TimeoutError:
                return batch
            if queue.qsize() < GATHER_RECORDS:
                await asyncio.sleep(GATHER_SECONDS)
        for _ in range(min(queue.qsize(), BATCH_RECORDS - len(batch))):
            batch.append(queue.get_nowait())
        return batch

    def commit(self, batch: Sequence[RawRecord | DeadLetter], *, flush: bool = True) -> None:
        self.sink.source_type = self.kind.name
        self.unflushed += len(batch)
        try:
            if batch:
                feed(batch, self.kind, self.sink)
            if flush:
                self.sink.flush()
                self.unflushed = 0
        except StoreUnavailable as e:  # even the spool is full: say so loudly, keep running
            self._lost(str(e))
        except Exception as e:  # a fault the parsers and enrichers did not turn into a dead
            self._lost(f"{type(e).__name__}: {e}")  # letter must not stop the listener either

    def _lost(self, why: str) -> None:
        print(f"soc collect: {self.kind.name}: events lost: {why}", file=sys.stderr)
        self.sink.stats.add(self.kind.name, rejected=self.unflushed)
        self.unflushed = 0


@dataclass
class Running:
    """What ``run`` started, for shutting it down."""

    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], object]] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)


class CollectorSet:
    """Builds and runs the collectors of ``sources``."""

    def __init__(
        self,
        sources: Sequence[SourceSettings],
        types: dict[str, SourceType],
        make_pipeline: PipelineFactory,
        checkpoints: CheckpointStore,
        home: Path,
        ingest: IngestSettings,
    ) -> None:
        if not sources:
            raise ConfigError("no sources configured", hint="add [[sources]] to the config file")
        self.sources = list(sources)
        self.types = types
        self.make_pipeline = make_pipeline
        self.checkpoints = checkpoints
        self.home = home
        self.ingest = ingest
        self.running = Running()
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ConfigError("source names must be unique")

    async def run(self, stop: asyncio.Event) -> None:
        with bulk_allocation():  # a collector is a long bulk ingestion: see allocation.py
            for source in self.sources:
                await self._start(source, stop)
            try:
                await stop.wait()
            finally:
                await self.shutdown()

    async def shutdown(self) -> None:
        for close in self.running.closers:
            close()
        await asyncio.gather(*self.running.tasks, return_exceptions=True)
        for pipeline in self.running.pipelines:
            try:
                pipeline.flush()
            except StoreUnavailable as e:
                print(f"soc collect: could not flush at shutdown: {e}", file=sys.stderr)

    async def _start(self, source: SourceSettings, stop: asyncio.Event) -> None:
        kind = source_type(self.types, source.source_type)
        pipeline = self.make_pipeline(source)
        pipeline.source_type = kind.name
        self.running.pipelines.append(pipeline)
        spool = pipeline.store if isinstance(pipeline.store, SpoolingStore) else None
        if spool is not None:
            self.running.tasks.append(asyncio.create_task(_drain_every(spool, stop)))
        starter = {
            "file": self._start_tailer,
            "syslog-udp": self._start_syslog,
            "syslog-tcp": self._start_syslog,
            "syslog-tls": self._start_syslog,
            "http": self._start_http,
            "interface": self._start_interface,
        }.get(source.type)
        if starter is None:
            raise ConfigError(
                f"source {source.name}: type {source.type} is not a live collector",
                hint="import captures with: soc ingest --source-type pcap FILE",
            )
        await starter(source, kind, pipeline, stop)

    async def _start_tailer(
        self, source: SourceSettings, kind: SourceType, pipeline: Pipeline, stop: asyncio.Event
    ) -> None:
        if not source.path:
            raise ConfigError(f"source {source.name}: a file source needs a path (glob)")
        tailer = FileTailer(
            source.name, [source.path], kind, pipeline, self.checkpoints,
            from_beginning=source.from_beginning, zone=source.zone, agency=source.agency,
        )  # fmt: skip
        interval = float(source.options.get("poll_seconds", 1.0))
        self.running.tasks.append(asyncio.create_task(tailer.run(stop, interval)))
        self.running.closers.append(tailer.close)

    async def _start_syslog(
        self, source: SourceSettings, kind: SourceType, pipeline: Pipeline, stop: asyncio.Event
    ) -> None:
        default_port = 6514 if source.type == "syslog-tls" else 514
        host, port = parse_address(source.address, default_port)
        context = ListenerContext(
            kind.name, source.zone, source.agency, self.ingest.max_record_bytes, kind.keep_bytes,
            _option_int(source, "receive_buffer_bytes", UDP_RECEIVE_BUFFER),
        )  # fmt: skip
        pump = RecordPump(kind, pipeline)
        self.running.tasks.append(asyncio.create_task(pump.run(stop)))
        if source.type == "syslog-udp":
            listener = await serve_udp(host, port, pump.offer, context)
            self.running.closers.append(listener.close)
            return
        tls = tls_context(source.options) if source.type == "syslog-tls" else None
        server = await serve_stream(host, port, pump.queue.put, context, tls)
        self.running.closers.append(server.close)

    async def _start_interface(
        self, source: SourceSettings, kind: SourceType, pipeline: Pipeline, stop: asyncio.Event
    ) -> None:
        interface = str(source.options.get("interface") or source.address or "")
        if not interface:
            raise ConfigError(f"source {source.name}: an interface source needs options.interface")
        if kind.name != "pcap":
            raise ConfigError(
                f"source {source.name}: an interface source makes packet metadata",
                hint='use source_type = "pcap"',
            )
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()

        def schedule(deliver: Callable[[Any], None], item: RawRecord | DeadLetter) -> None:
            if threading.get_ident() == loop_thread:
                deliver(item)
            else:
                loop.call_soon_threadsafe(deliver, item)

        pump = RecordPump(kind, pipeline)
        capture = InterfaceCapture(
            interface, pump.offer, schedule,
            bpf_filter=source.options.get("filter"),
            max_flows=_option_int(source, "max_flows", MAX_FLOWS),
            idle_seconds=float(_option_int(source, "idle_seconds", int(IDLE_SECONDS))),
            zone=source.zone, agency=source.agency,
        )  # fmt: skip
        capture.start()
        self.running.tasks.append(asyncio.create_task(pump.run(stop)))
        self.running.tasks.append(asyncio.create_task(_tick_every(capture, stop)))
        self.running.closers.append(capture.stop)

    async def _start_http(
        self, source: SourceSettings, kind: SourceType, pipeline: Pipeline, stop: asyncio.Event
    ) -> None:
        from werkzeug.serving import make_server

        host, port = parse_address(source.address, 8088)
        loop = asyncio.get_running_loop()

        async def commit(events: list[Event], letters: list[DeadLetter]) -> None:
            pipeline.source_type = kind.name
            pipeline.stats.add(kind.name, read=len(events) + len(letters))
            for letter in letters:
                pipeline.reject(letter)
            pipeline.emit(events)
            pipeline.flush()

        def deliver(events: list[Event], letters: list[DeadLetter]) -> None:
            asyncio.run_coroutine_threadsafe(commit(events, letters), loop).result(timeout=60)

        tokens = TokenRegistry(self.home / "receiver-tokens.json")
        limits = _receiver_limits(source.options)
        app = EventReceiver(tokens, kind, deliver, limits, zone=source.zone)
        ssl_context: Any = tls_context(source.options) if source.options.get("cert_file") else None
        server = make_server(host, port, app, threaded=True, ssl_context=ssl_context)
        thread = threading.Thread(target=server.serve_forever, name=f"http-{source.name}")
        thread.daemon = True
        thread.start()
        self.running.closers.append(server.shutdown)


def _option_int(source: SourceSettings, name: str, default: int) -> int:
    try:
        return int(source.options.get(name, default))
    except (TypeError, ValueError) as e:
        raise ConfigError(f"source {source.name}: options.{name} must be a whole number") from e


def _receiver_limits(options: dict[str, Any]) -> ReceiverLimits:
    try:
        return ReceiverLimits(
            max_body_bytes=int(options.get("max_body_bytes", 10 * 1_048_576)),
            max_events=int(options.get("max_events", 10_000)),
            rate_per_second=float(options.get("rate_per_second", 500.0)),
            burst=int(options.get("burst", 5_000)),
        )
    except (TypeError, ValueError) as e:
        raise ConfigError(f"invalid HTTP receiver option: {e}") from e


async def _tick_every(capture: InterfaceCapture, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=TICK_SECONDS)
        capture.tick(time.time())


async def _drain_every(spool: SpoolingStore, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=DRAIN_SECONDS)
        if spool.spooled_bytes():
            spool.drain()
