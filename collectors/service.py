"""The configured collectors of one platform, each source behind its own spooling pipeline.

Used by ``soc collect`` (in the foreground) and ``soc up`` (in a background thread with its own
event loop, so the console and the scheduler keep running beside it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from collectors.checkpoints import StateCheckpoints
from collectors.live import CollectorSet
from collectors.registry import build_source_types, senders_timezone
from collectors.spool import SpoolingStore
from soc.config import SourceSettings
from soc.ecs import Event
from soc.pipeline import Pipeline
from soc.runtime import Platform


class CollectorService:
    def __init__(self, platform: Platform, sources: Sequence[SourceSettings]) -> None:
        settings = platform.settings
        zone = senders_timezone(settings.ingest, settings.console.timezone)
        self.platform = platform
        self.pipelines: list[Pipeline] = []
        self.collectors = CollectorSet(
            list(sources),
            build_source_types(settings.ingest, local_tz=zone),
            self._pipeline_for,
            StateCheckpoints(platform.state),
            settings.home,
            settings.ingest,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def _pipeline_for(self, source: SourceSettings) -> Pipeline:
        settings = self.platform.settings
        pipeline = self.platform.pipeline()
        observers = list(pipeline.observers)

        def drained(events: Sequence[Event]) -> None:
            for observer in observers:
                observer.committed(events)

        pipeline.store = SpoolingStore(
            self.platform.store,
            settings.home / "spool" / source.name,
            max_bytes=settings.ingest.spool_max_bytes,
            on_drained=drained,
        )
        self.pipelines.append(pipeline)
        return pipeline

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self.collectors.run(stop)
        finally:
            self.save_counters()

    def save_counters(self) -> None:
        for pipeline in self.pipelines:
            self.platform.save_counters(pipeline.stats)
            pipeline.stats.by_source_type.clear()

    # -- in a background thread (soc up) ---------------------------------------------------

    def start_in_thread(self) -> None:
        ready = threading.Event()

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            ready.set()
            await self.run(self._stop)

        self._thread = threading.Thread(target=asyncio.run, args=(main(),), name="collectors")
        self._thread.daemon = True
        self._thread.start()
        ready.wait(10)

    def stop_thread(self, timeout: float = 15.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
