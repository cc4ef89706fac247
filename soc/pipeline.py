"""The ingest pipeline: parsed events → enrichment → batches → store commit → observers.

Checkpoints (file offsets) advance only after the store has committed the batch that contains
the records before them, so a crash replays at most an uncommitted batch, and deterministic
event ids turn that replay into duplicates the store ignores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from collectors.base import DeadLetter
from soc.ecs import Event
from soc.stores.base import EventStore


class BatchObserver(Protocol):
    """Called with every batch after the store committed it (streaming detection, metrics)."""

    def committed(self, events: Sequence[Event]) -> None: ...


Enricher = Callable[[Event], None]
CommitHook = Callable[[], None]
CounterListener = Callable[[str, dict[str, int]], None]


@dataclass
class SourceCounters:
    read: int = 0
    ingested: int = 0
    duplicates: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


@dataclass
class IngestStats:
    """Counters for the whole run and per source type."""

    total: SourceCounters = field(default_factory=SourceCounters)
    by_source_type: dict[str, SourceCounters] = field(default_factory=dict)
    listeners: list[CounterListener] = field(default_factory=list)

    def counters(self, source_type: str) -> SourceCounters:
        return self.by_source_type.setdefault(source_type, SourceCounters())

    def add(self, source_type: str, **deltas: int) -> None:
        for counters in (self.total, self.counters(source_type)):
            for name, delta in deltas.items():
                setattr(counters, name, getattr(counters, name) + delta)
        for listener in self.listeners:
            listener(source_type, deltas)


class Pipeline:
    """Batches events and dead letters into the store; notifies observers after each commit.

    It implements ``collectors.base.EventSink`` so collectors can hand it their output.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        batch_size: int = 2000,
        enrichers: Sequence[Enricher] = (),
        observers: Sequence[BatchObserver] = (),
        stats: IngestStats | None = None,
        dead_letter_keep_bytes: int = 65_536,  # as ingest.dead_letter_keep_bytes
    ) -> None:
        self.store = store
        self.dead_letter_keep_bytes = dead_letter_keep_bytes
        self.batch_size = batch_size
        self.enrichers = list(enrichers)
        self.observers = list(observers)
        self.stats = stats or IngestStats()
        self._events: list[Event] = []
        self._letters: list[DeadLetter] = []
        self._hooks: list[CommitHook] = []
        self.source_type = ""

    def emit(self, events: Iterable[Event]) -> None:
        # Each enricher over the whole list, then the list into the batch: the same events as
        # enriching one event at a time (enrichers only touch the event they are given).
        batch = events if type(events) is list else list(events)
        for enrich in self.enrichers:
            failed: set[int] = set()
            for index, event in enumerate(batch):
                try:  # free while nothing is raised (Python 3.11)
                    enrich(event)
                except Exception as e:  # one odd event must not stop the batch: kept as data
                    self.reject(_enrichment_letter(event, enrich, e, self))
                    failed.add(index)
            if failed:
                batch = [event for i, event in enumerate(batch) if i not in failed]
        size = max(1, self.batch_size)
        pending, room = self._events, max(1, size - len(self._events))
        if len(batch) < room:
            pending.extend(batch)
            return
        start = 0
        while len(batch) - start >= room:
            pending.extend(batch[start : start + room])
            start += room
            self.flush()
            pending, room = self._events, size
        pending.extend(batch[start:])

    def reject(self, letter: DeadLetter) -> None:
        self._letters.append(letter)
        self.stats.add(letter.source_type or self.source_type, rejected=1)
        if len(self._letters) >= self.batch_size:
            self.flush()

    def after_commit(self, hook: CommitHook) -> None:
        """Run ``hook`` once everything emitted so far is committed (e.g. save an offset)."""
        self._hooks.append(hook)

    def flush(self) -> None:
        events, letters, hooks = self._events, self._letters, self._hooks
        self._events, self._letters, self._hooks = [], [], []
        if letters:
            self.store.write_dead_letters(letters)
        if events:
            result = self.store.write(events)
            self.stats.add(
                self.source_type,
                ingested=result.ingested,
                duplicates=result.duplicates,
                rejected=len(result.rejected_ids),
            )
            skip = result.duplicate_ids | result.rejected_ids
            fresh = [e for e in events if e["event"]["id"] not in skip] if skip else events
            if fresh:
                for observer in self.observers:
                    observer.committed(fresh)
        for hook in hooks:
            hook()


def _enrichment_letter(
    event: Event, enrich: Enricher, error: Exception, pipeline: Pipeline
) -> DeadLetter:
    """The dead letter of an event an enricher raised on: where it came from, why, its raw text."""
    name = getattr(enrich, "__qualname__", None) or type(enrich).__name__
    reason = f"enricher {name} failed: {type(error).__name__}: {error}"[:1000]
    log = event.get("log")
    log = log if isinstance(log, dict) else {}
    file, peer = log.get("file"), log.get("source")
    source = (file.get("path") if isinstance(file, dict) else None) or (
        peer.get("address") if isinstance(peer, dict) else None
    )
    offset = log.get("offset")
    return DeadLetter(
        source=str(source or ""),
        reason=reason,
        raw=_raw_of(event)[: pipeline.dead_letter_keep_bytes],
        offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None,
        source_type=pipeline.source_type,
    )


def _raw_of(event: Event) -> bytes:
    """The record as it arrived (``event.original``), else the parsed event as JSON."""
    meta: Any = event.get("event")
    original = meta.get("original") if isinstance(meta, dict) else None
    if isinstance(original, str):
        return original.encode("utf-8", "surrogateescape")
    try:
        return orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # orjson's encode error (a cycle, an integer over 64 bits)
        return repr(event).encode("utf-8", "backslashreplace")
