"""Readers that split files into raw records: bounded newline-delimited lines (NDJSON, syslog)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import datetime
from typing import BinaryIO

from collectors.base import DeadLetter, RawRecord, Reader
from soc.ecs import utc_now

CHUNK_BYTES = 1 << 20


class LineReader(Reader):
    """Newline-delimited records, never holding more than ``max_record_bytes`` of one line.

    An over-long line becomes a dead letter keeping its first ``keep_bytes`` bytes, and reading
    resumes after its newline. A final line without a newline is still a record. Offsets are the
    byte offsets of each record's first byte; a trailing ``\\r`` is dropped and blank lines are
    not records.
    """

    NAME = "lines"

    def __init__(
        self,
        max_record_bytes: int = 1_048_576,
        keep_bytes: int = 65_536,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        source_type: str = "",
    ) -> None:
        self.max_record_bytes = max_record_bytes
        self.keep_bytes = keep_bytes
        self.chunk_bytes = max(1, chunk_bytes)
        self.source_type = source_type

    def read(
        self, stream: BinaryIO, source: str, start_offset: int = 0
    ) -> Iterator[RawRecord | DeadLetter]:
        if start_offset:
            stream.seek(start_offset)
        state = _LineState(self, source, start_offset)
        while chunk := stream.read(self.chunk_bytes):
            yield from state.feed(chunk)  # a list: no generator frame per record
        yield from state.finish()

    def read_complete(
        self, stream: BinaryIO, source: str, start_offset: int = 0
    ) -> Generator[RawRecord | DeadLetter, None, int]:
        """Like ``read`` but for a file still being written: a last line without its newline is
        left for later. Returns (as the generator's value) the offset to resume from.
        """
        stream.seek(start_offset)
        state = _LineState(self, source, start_offset)
        while chunk := stream.read(self.chunk_bytes):
            yield from state.feed(chunk)
        return state.line_start


class _LineState:
    """The carry-over between chunks: the start of an unfinished line, or an over-long one."""

    def __init__(self, reader: LineReader, source: str, offset: int) -> None:
        self.reader = reader
        self.source = source
        self.offset = offset  # offset of the first byte of the next chunk
        self.line_start = offset
        self.pending = b""
        self.oversize_head: bytes | None = None

    def feed(self, chunk: bytes) -> list[RawRecord | DeadLetter]:
        """The records the chunk completes, in order."""
        received = utc_now()
        parts = chunk.split(b"\n")
        tail = parts.pop()
        position = self.offset
        self.offset += len(chunk)
        records: list[RawRecord | DeadLetter] = []
        if parts and (self.pending or self.oversize_head is not None):
            first = parts.pop(0)  # completes the line carried over from the previous chunk
            records.extend(self._complete(first, received))
            position += len(first) + 1
            self.line_start = position
        # The loop below is the reader's hot path: whole lines inside one chunk, no calls
        # (the record is built as the tuple it is, without RawRecord.__new__).
        limit = self.reader.max_record_bytes
        source, source_type = self.source, self.reader.source_type
        add, new = records.append, tuple.__new__
        for part in parts:
            start = position
            position += len(part) + 1
            if part[-1:] == b"\r":
                part = part[:-1]
            if part:
                if len(part) > limit:
                    self.line_start = start
                    add(self._too_long(part[: self.reader.keep_bytes]))
                else:
                    fields = (part, source, start, None, received, source_type, None, None, 0)
                    add(new(RawRecord, fields))
        if parts:
            self.line_start = position
        self._carry(tail)
        return records

    def finish(self) -> Iterator[RawRecord | DeadLetter]:
        if self.pending or self.oversize_head is not None:
            yield from self._complete(b"", utc_now())

    def _carry(self, part: bytes) -> None:
        if self.oversize_head is not None or not part:
            return
        if len(self.pending) + len(part) > self.reader.max_record_bytes:
            self.oversize_head = (self.pending + part)[: self.reader.keep_bytes]
            self.pending = b""
        else:
            self.pending += part

    def _complete(self, part: bytes, received: datetime) -> Iterator[RawRecord | DeadLetter]:
        if self.oversize_head is not None:
            head = self.oversize_head
            self.oversize_head = None
            yield self._too_long(head)
            return
        line = self.pending + part if self.pending else part
        self.pending = b""
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            return
        if len(line) > self.reader.max_record_bytes:
            yield self._too_long(line[: self.reader.keep_bytes])
            return
        yield RawRecord(
            line,
            self.source,
            self.line_start,
            received_at=received,
            source_type=self.reader.source_type,
        )

    def _too_long(self, head: bytes) -> DeadLetter:
        return DeadLetter(
            source=self.source,
            reason=f"record exceeds {self.reader.max_record_bytes} bytes",
            raw=head,
            offset=self.line_start,
            source_type=self.reader.source_type,
        )
