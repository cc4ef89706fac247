"""Reading Windows EVTX files record by record with the ``evtx`` (Rust) parser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import evtx

from collectors.base import DeadLetter, RawRecord, Reader
from soc.ecs import utc_now

MAX_CONSECUTIVE_FAILURES = 64


class EvtxReader(Reader):
    """Each EVTX record becomes one raw record holding its evtx_dump-style JSON.

    The record number is the record's "offset" (part of its id); a damaged chunk becomes a dead
    letter with evtx's reason and reading carries on with the next one. ``start_offset`` skips
    records up to that number (a tailer resuming).
    """

    NAME = "evtx"

    def __init__(self, max_record_bytes: int = 1_048_576, *, source_type: str = "evtx") -> None:
        self.max_record_bytes = max_record_bytes
        self.source_type = source_type

    def read(
        self, stream: BinaryIO, source: str, start_offset: int = 0
    ) -> Iterator[RawRecord | DeadLetter]:
        try:
            parser = evtx.PyEvtxParser(stream)
        except (OSError, RuntimeError, ValueError) as e:
            yield self._letter(source, f"not a readable EVTX file: {e}", None)
            return
        records = parser.records_json()
        received = utc_now()
        failures = 0
        while True:
            try:
                item = next(records)
                failures = 0
            except StopIteration:
                return
            except (OSError, RuntimeError, ValueError) as e:  # a damaged chunk: skip it
                failures += 1
                yield self._letter(source, f"EVTX: {e}", None)
                if failures >= MAX_CONSECUTIVE_FAILURES:
                    yield self._letter(source, "EVTX: too many damaged chunks, gave up", None)
                    return
                continue
            if not isinstance(item, dict):
                continue
            number = int(item["event_record_id"])
            if number <= start_offset:
                continue
            data = str(item["data"]).encode("utf-8", "surrogatepass")
            if len(data) > self.max_record_bytes:
                yield self._letter(source, f"record exceeds {self.max_record_bytes} bytes", number)
                continue
            yield RawRecord(
                data, source, number, received_at=received, source_type=self.source_type
            )

    def _letter(self, source: str, reason: str, number: int | None) -> DeadLetter:
        return DeadLetter(
            source=source,
            reason=reason[:1000],
            raw=b"",
            offset=number,
            source_type=self.source_type,
        )
