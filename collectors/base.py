"""Contracts of the collection layer: raw records, readers, parsers, sinks and dead letters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, ClassVar, NamedTuple, Protocol

from soc.ecs import Event, utc_now


class _RecordFields(NamedTuple):
    data: bytes
    source: str
    offset: int | None
    peer: str | None
    received_at: datetime
    source_type: str
    zone: str | None
    agency: str | None
    repeat: int


class RawRecord(_RecordFields):
    """One record as it arrived: bytes plus where it came from.

    ``source`` names the stream (a file path, ``udp://10.1.2.3``); ``offset`` is the byte offset in
    a file (None for network streams); ``peer`` is the sender address for network sources;
    ``received_at`` is now when not given. ``repeat`` counts earlier identical messages from the
    same sender (network sources: two identical lines are two events, while a stream replayed
    from its start gets the same ids again); 0 for the first and for file records.

    Immutable (a named tuple, so ``record._replace(zone=…)`` makes a changed copy): one is made
    per record read, and a tuple costs a fifth of a frozen dataclass to make. A reader's hot
    loop may skip this ``__new__`` with ``tuple.__new__(RawRecord, (all nine fields))``.
    """

    __slots__ = ()

    def __new__(
        cls,
        data: bytes,
        source: str,
        offset: int | None = None,
        peer: str | None = None,
        received_at: datetime | None = None,
        source_type: str = "",
        zone: str | None = None,
        agency: str | None = None,
        repeat: int = 0,
    ) -> RawRecord:
        moment = utc_now() if received_at is None else received_at
        fields = (data, source, offset, peer, moment, source_type, zone, agency, repeat)
        return _tuple_new(cls, fields)


_tuple_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record the platform refused, kept with the reason so nothing vanishes."""

    source: str
    reason: str
    raw: bytes
    offset: int | None = None
    source_type: str = ""
    received_at: datetime = field(default_factory=utc_now)


class Parser(ABC):
    """Turns raw records of one format into ECS events.

    ``matches`` is a cheap format check; ``parse`` raises ``soc.errors.ParseError`` on records it
    cannot read. Parsers never touch storage or the network.
    """

    NAME: ClassVar[str]
    DATASET: ClassVar[str]

    @abstractmethod
    def matches(self, record: RawRecord) -> bool: ...

    @abstractmethod
    def parse(self, record: RawRecord) -> Iterable[Event]: ...


class Reader(ABC):
    """Splits a file (or stream) into raw records: lines, EVTX records, packets."""

    NAME: ClassVar[str]

    @abstractmethod
    def read(
        self, stream: BinaryIO, source: str, start_offset: int = 0
    ) -> Iterator[RawRecord | DeadLetter]: ...


class EventSink(Protocol):
    """Where collectors hand their output; the pipeline implements it."""

    def emit(self, events: Iterable[Event]) -> None: ...

    def reject(self, letter: DeadLetter) -> None: ...


def source_key(path: Path | str) -> str:
    """Stable name of a file source for event ids: the absolute path."""
    return str(Path(path).resolve())
