"""A disk spool in front of the event store: batches wait on disk while the store is down.

``SpoolingStore`` wraps any ``EventStore``. A batch the store refuses with ``StoreUnavailable``
is written to one file (fsync, then rename) and the write reports nothing ingested yet; the
caller may advance its checkpoint because the batch is durable. ``drain()`` (called before each
write and by the runner's timer) sends spooled batches in order and deletes each file once the
store has committed it. The spool is bounded: when full, ``StoreUnavailable`` reaches the caller,
which must keep its data (a tailer rewinds to its saved offset).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from collectors.base import DeadLetter
from soc.ecs import Event, parse_timestamp
from soc.errors import StoreError, StoreUnavailable
from soc.stores.base import Bucket, EventQuery, EventStore, WriteResult


class SpoolingStore(EventStore):
    NAME = "spooling"

    def __init__(
        self,
        inner: EventStore,
        directory: Path,
        *,
        max_bytes: int = 1_073_741_824,
        on_drained: Callable[[Sequence[Event]], None] | None = None,
    ) -> None:
        self.inner = inner
        self.directory = directory
        self.max_bytes = max_bytes
        self.on_drained = on_drained
        directory.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name.split("-")[0]) for p in self._files()]
        self._sequence = itertools.count(max(existing, default=0) + 1)

    # -- spool ----------------------------------------------------------------------------

    def _files(self) -> list[Path]:
        return sorted(p for p in self.directory.glob("*.ndjson") if p.name[:1].isdigit())

    def spooled_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._files())

    def _spool(self, kind: str, lines: list[bytes]) -> None:
        body = b"\n".join(lines) + b"\n"
        if self.spooled_bytes() + len(body) > self.max_bytes:
            raise StoreUnavailable(
                f"the event store is unavailable and the spool is full ({self.max_bytes} bytes)",
                source=self.directory,
                hint="bring the store back or raise ingest.spool_max_bytes",
            )
        name = f"{next(self._sequence):012d}-{kind}.ndjson"
        temporary = self.directory / f".{name}.tmp"
        with temporary.open("wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.directory / name)

    def drain(self) -> int:
        """Send spooled batches to the store, oldest first; return how many events were sent."""
        sent = 0
        for path in self._files():
            lines = [line for line in path.read_bytes().splitlines() if line]
            try:
                if path.name.endswith("-letters.ndjson"):
                    self.inner.write_dead_letters([_letter(orjson.loads(x)) for x in lines])
                else:
                    events = [orjson.loads(x) for x in lines]
                    result = self.inner.write(events)
                    sent += len(events)
                    fresh = [e for e in events if e["event"]["id"] not in result.duplicate_ids]
                    if self.on_drained is not None and fresh:
                        self.on_drained(fresh)
            except StoreUnavailable:
                break
            path.unlink()
        return sent

    # -- EventStore -------------------------------------------------------------------------

    def write(self, events: Sequence[Event]) -> WriteResult:
        if self._files():
            self.drain()
        if not self._files():
            try:
                return self.inner.write(events)
            except StoreUnavailable:
                pass
        self._spool("events", [orjson.dumps(e) for e in events])
        return WriteResult(0, 0)

    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        try:
            self.inner.write_dead_letters(letters)
        except StoreUnavailable:
            self._spool("letters", [orjson.dumps(_letter_doc(d)) for d in letters])

    def search(self, query: EventQuery) -> list[Event]:
        return self.inner.search(query)

    def count(self, query: EventQuery) -> int:
        return self.inner.count(query)

    def aggregate(self, field_name: str, query: EventQuery, size: int = 10) -> list[Bucket]:
        return self.inner.aggregate(field_name, query, size)

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return self.inner.dead_letters(limit)

    def close(self) -> None:
        self.inner.close()


def _letter_doc(letter: DeadLetter) -> dict[str, object]:
    return {
        "source": letter.source,
        "reason": letter.reason,
        "raw": letter.raw.hex(),
        "offset": letter.offset,
        "source_type": letter.source_type,
        "received_at": letter.received_at.isoformat(),
    }


def _letter(doc: dict[str, object]) -> DeadLetter:
    try:
        return DeadLetter(
            source=str(doc["source"]),
            reason=str(doc["reason"]),
            raw=bytes.fromhex(str(doc["raw"])),
            offset=doc["offset"] if isinstance(doc["offset"], int) else None,
            source_type=str(doc["source_type"]),
            received_at=parse_timestamp(str(doc["received_at"])),
        )
    except (KeyError, ValueError) as e:
        raise StoreError(f"damaged spool record: {e}") from e
