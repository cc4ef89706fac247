"""The bounded line reader: offsets, final lines, over-long lines, chunk boundaries."""

from __future__ import annotations

import io

import pytest

from collectors import readers
from collectors.base import DeadLetter, RawRecord
from collectors.readers import LineReader


def read_all(data: bytes, **kwargs: int) -> list[RawRecord | DeadLetter]:
    reader = LineReader(
        kwargs.pop("max_record_bytes", 1024), kwargs.pop("keep_bytes", 256), **kwargs
    )
    return list(reader.read(io.BytesIO(data), "src"))


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 20])
def test_offsets_are_record_starts_and_final_line_counts(chunk: int) -> None:
    data = b"first\r\n\nsecond\nthird"
    items = read_all(data, chunk_bytes=chunk)
    assert [(i.data, i.offset) for i in items if isinstance(i, RawRecord)] == [
        (b"first", 0),
        (b"second", 8),
        (b"third", 15),
    ]
    for item in items:
        assert isinstance(item, RawRecord)
        assert data[item.offset : item.offset + len(item.data)] == item.data


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_over_long_line_becomes_dead_letter_and_reading_resumes(chunk: int) -> None:
    data = b"ok1\n" + b"x" * 5000 + b"\nok2\n"
    items = read_all(data, chunk_bytes=chunk, max_record_bytes=1024, keep_bytes=300)
    assert [type(i).__name__ for i in items] == ["RawRecord", "DeadLetter", "RawRecord"]
    letter = items[1]
    assert isinstance(letter, DeadLetter)
    assert letter.reason == "record exceeds 1024 bytes"
    assert letter.raw == b"x" * 300
    assert letter.offset == 4
    assert items[2].data == b"ok2" and items[2].offset == 5005


def test_over_long_final_line_without_newline() -> None:
    items = read_all(b"a\n" + b"y" * 2000, chunk_bytes=100)
    assert isinstance(items[-1], DeadLetter) and items[-1].offset == 2


def test_line_of_exactly_the_limit_is_a_record() -> None:
    items = read_all(b"z" * 1024 + b"\n", chunk_bytes=10)
    assert isinstance(items[0], RawRecord) and len(items[0].data) == 1024


def test_start_offset_resumes_mid_file() -> None:
    reader = LineReader(1024, 256)
    items = list(reader.read(io.BytesIO(b"aa\nbb\ncc\n"), "src", start_offset=3))
    assert [(i.data, i.offset) for i in items] == [(b"bb", 3), (b"cc", 6)]


def test_memory_stays_bounded_on_a_10_mb_line(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[int] = []
    original = readers._LineState._carry

    def carry(self: readers._LineState, part: bytes) -> None:
        original(self, part)
        held.append(len(self.pending) + len(self.oversize_head or b""))

    monkeypatch.setattr(readers._LineState, "_carry", carry)
    reader = LineReader(4096, 256, chunk_bytes=65536)
    items = list(reader.read(io.BytesIO(b"q" * 10_000_000 + b"\nend\n"), "src"))
    assert [type(i).__name__ for i in items] == ["DeadLetter", "RawRecord"]
    assert len(held) > 100 and max(held) <= 4096
