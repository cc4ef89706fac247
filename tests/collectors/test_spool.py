"""Store down: batches spool to disk (bounded), drain later, nothing lost or duplicated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from collectors.base import DeadLetter
from collectors.checkpoints import JsonCheckpoints
from collectors.registry import SourceType
from collectors.spool import SpoolingStore
from collectors.tailer import FileTailer
from soc.ecs import Event
from soc.errors import StoreUnavailable
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery, WriteResult
from soc.stores.sqlite import SqliteEventStore


class FlakyStore(SqliteEventStore):
    """The real embedded store, switchable to 'unavailable'."""

    down = False

    def write(self, events: Sequence[Event]) -> WriteResult:
        if self.down:
            raise StoreUnavailable("store is down (test)")
        return super().write(events)

    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        if self.down:
            raise StoreUnavailable("store is down (test)")
        super().write_dead_letters(letters)


def lines(start: int, stop: int) -> str:
    return "".join(f"Mar  1 10:00:00 h app[{i}]: line {i}\n" for i in range(start, stop))


def test_store_down_spools_then_drains_exactly_once(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    flaky = FlakyStore(tmp_path / "events.db")
    drained: list[Event] = []
    store = SpoolingStore(flaky, tmp_path / "spool", on_drained=drained.extend)
    log = tmp_path / "logs" / "a.log"
    log.parent.mkdir()
    log.write_text(lines(0, 10))
    pipeline = Pipeline(store, batch_size=4)
    checkpoints = JsonCheckpoints(tmp_path / "cp.json")
    tailer = FileTailer("t", [str(log)], source_types["syslog"], pipeline, checkpoints,
                        from_beginning=True)  # fmt: skip
    tailer.step()
    assert flaky.count(EventQuery()) == 10
    flaky.down = True
    with log.open("a") as out:
        out.write(lines(10, 25) + "\x00binary\n")
    tailer.step()
    assert flaky.count(EventQuery()) == 10
    assert store.spooled_bytes() > 0
    assert checkpoints.load(f"tail:t:{log.resolve()}")["offset"] == log.stat().st_size
    flaky.down = False
    assert store.drain() == 15
    assert store.spooled_bytes() == 0
    assert flaky.count(EventQuery()) == 25 and len(drained) == 15
    assert [d.reason for d in flaky.dead_letters()] == [
        "syslog: binary data: NUL byte at offset 0 of the record"
    ]
    tailer.step()
    assert flaky.count(EventQuery()) == 25
    tailer.close()


def test_full_spool_refuses_and_the_tailer_rewinds(
    tmp_path: Path, source_types: dict[str, SourceType]
) -> None:
    flaky = FlakyStore(tmp_path / "events.db")
    store = SpoolingStore(flaky, tmp_path / "spool", max_bytes=2000)
    log = tmp_path / "a.log"
    log.write_text(lines(0, 50))
    pipeline = Pipeline(store, batch_size=10)
    checkpoints = JsonCheckpoints(tmp_path / "cp.json")
    tailer = FileTailer("t", [str(log)], source_types["syslog"], pipeline, checkpoints,
                        from_beginning=True)  # fmt: skip
    flaky.down = True
    tailer.step()
    saved = checkpoints.load(f"tail:t:{log.resolve()}")
    assert saved is None or saved["offset"] < log.stat().st_size
    assert tailer.files[log].offset == (saved or {}).get("offset", 0)
    flaky.down = False
    store.drain()
    tailer.step()
    assert flaky.count(EventQuery()) == 50
    tailer.close()


def test_spool_full_error_names_the_setting(tmp_path: Path) -> None:
    flaky = FlakyStore(tmp_path / "events.db")
    flaky.down = True
    store = SpoolingStore(flaky, tmp_path / "spool", max_bytes=10)
    event = {"event": {"id": "x"}, "@timestamp": "2026-01-01T00:00:00Z"}
    with pytest.raises(StoreUnavailable, match="spool is full"):
        store.write([event])
