"""The event-store contract shared by the embedded SQLite store and Elasticsearch."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from collectors.base import DeadLetter
from soc.ecs import Event, format_timestamp, parse_timestamp

# Dead letters a store writes itself hold the whole refused event, whose ``event.id`` is
# deterministic: their bytes alone name the record.
STORE_SOURCE_PREFIX = "store:"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """Outcome of one committed batch: new events and events the store already held."""

    ingested: int
    duplicates: int
    duplicate_ids: frozenset[str] = frozenset()
    # events the store refused (kept as dead letters by the store itself, e.g. mapping errors)
    rejected_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EventQuery:
    """A bounded search: every filter optional, ``limit`` always applies (newest first)."""

    dataset: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    kind: str | None = None
    text: str | None = None
    terms: dict[str, str] = field(default_factory=dict)
    ids: tuple[str, ...] = ()
    limit: int = 100
    ascending: bool = False


def dead_letter_key(letter: DeadLetter) -> str:
    """Deterministic key of a refused record: the same record refused again is kept once.

    A record read from a file is named by its source, source type, offset and bytes, so
    re-ingesting the file adds nothing. A record received over the network has no offset and the
    same bytes may legitimately arrive twice (two identical syslog lines): its received time is
    part of the key, so each arrival is kept, while a replay of the same letter (a spool) is not.
    The reason is left out: a record refused again for another reason is still one record.
    """
    h = hashlib.blake2b(digest_size=16)
    when = ""
    if letter.offset is None and not letter.source.startswith(STORE_SOURCE_PREFIX):
        when = format_timestamp(letter.received_at)
    offset = "" if letter.offset is None else str(letter.offset)
    for part in (letter.source, letter.source_type, offset, when):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\x00")
    h.update(letter.raw)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    count: int


class EventStore(ABC):
    """Append-mostly store of ECS events with deterministic ids (``event.id`` is the key)."""

    NAME: str

    @abstractmethod
    def write(self, events: Sequence[Event]) -> WriteResult:
        """Commit a batch atomically; events whose id is already held count as duplicates."""

    @abstractmethod
    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None: ...

    @abstractmethod
    def search(self, query: EventQuery) -> list[Event]: ...

    @abstractmethod
    def count(self, query: EventQuery) -> int: ...

    @abstractmethod
    def aggregate(self, field_name: str, query: EventQuery, size: int = 10) -> list[Bucket]:
        """Top values of one ECS field among the events the query selects."""

    @abstractmethod
    def dead_letters(self, limit: int = 100) -> list[DeadLetter]: ...

    @abstractmethod
    def close(self) -> None: ...

    def newest_timestamp(self, query: EventQuery) -> datetime | None:
        """Time of the newest event the query selects (live facts: is a source still sending?)."""
        found = self.search(replace(query, limit=1, ascending=False))
        return parse_timestamp(found[0]["@timestamp"]) if found else None

    def oldest_timestamp(self, query: EventQuery) -> datetime | None:
        """Time of the oldest event the query selects (retention actually held)."""
        found = self.search(replace(query, limit=1, ascending=True))
        return parse_timestamp(found[0]["@timestamp"]) if found else None

    def purge_before(self, cutoff: datetime) -> int:
        """Delete events (and dead letters) older than ``cutoff``; return how many events went.
        Stores whose engine expires data itself (Elasticsearch ILM) keep the default: nothing."""
        return 0

    def dead_letter_count(self) -> int:
        return len(self.dead_letters(limit=1_000_000))

    def dead_letters_from(self, source: str, limit: int = 100) -> list[DeadLetter]:
        """Newest dead letters of one source; stores override this with a filtered query."""
        return [d for d in self.dead_letters(limit=1_000_000) if d.source == source][:limit]
