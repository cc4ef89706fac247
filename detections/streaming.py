"""Streaming detection as a pipeline observer: every committed batch meets the single-event
rules, and other engines' alert events become SOC alerts through the same grouping.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from detections.alert_store import AlertWriter, WriteSummary
from detections.alerts import AlertDraft, draft_from_engine_alert, draft_from_match
from detections.base import StreamingEngine
from soc.ecs import Event

log = logging.getLogger(__name__)


@dataclass
class StreamingStats:
    events: int = 0
    matches: int = 0
    engine_alerts: int = 0
    engine_errors: int = 0
    seconds: float = 0.0
    alerts: WriteSummary = field(default_factory=WriteSummary)


class StreamingDetector:
    """A ``soc.pipeline.BatchObserver``: engines on each committed batch, then the alert writer."""

    def __init__(self, engines: Sequence[StreamingEngine], writer: AlertWriter) -> None:
        self.engines = list(engines)
        self.writer = writer
        self.stats = StreamingStats()

    def drafts(self, events: Sequence[Event]) -> list[AlertDraft]:
        out: list[AlertDraft] = []
        for engine in self.engines:
            try:
                matches = list(engine.match(events))
            except Exception:  # one engine failing must not stop ingest or the other engines
                self.stats.engine_errors += 1
                log.exception("detection engine %s failed on a batch", engine.NAME)
                continue
            self.stats.matches += len(matches)
            out.extend(draft_from_match(m) for m in matches)
        for event in events:
            draft = draft_from_engine_alert(event)
            if draft is not None:
                self.stats.engine_alerts += 1
                out.append(draft)
        return out

    def committed(self, events: Sequence[Event]) -> None:
        started = time.perf_counter()
        drafts = self.drafts(events)
        self.stats.alerts.add(self.writer.write(drafts))
        self.stats.events += len(events)
        self.stats.seconds += time.perf_counter() - started
