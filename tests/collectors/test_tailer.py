"""The file tailer: growth, partial lines, rotation (rename, copytruncate), checkpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from collectors.checkpoints import JsonCheckpoints, StateCheckpoints
from collectors.registry import SourceType
from collectors.tailer import FileTailer
from soc.pipeline import Pipeline
from soc.state.db import open_state
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore


def line(n: int) -> str:
    return f"Mar  1 10:00:{n % 60:02d} web01 app[{n}]: message {n}\n"


def make(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore, **kw: bool
) -> tuple[FileTailer, Pipeline, JsonCheckpoints]:
    checkpoints = JsonCheckpoints(tmp_path / "checkpoints.json")
    pipeline = Pipeline(store, batch_size=7)
    pattern = str(tmp_path / "logs" / "*.log")
    tailer = FileTailer("t", [pattern], source_types["syslog"], pipeline, checkpoints, **kw)
    return tailer, pipeline, checkpoints


def poll(tailer: FileTailer, pipeline: Pipeline) -> None:
    tailer.poll()
    pipeline.flush()


def test_growth_partial_line_and_checkpoint(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("".join(line(i) for i in range(10)) + "Mar  1 10:00:59 web01 app[99]: zanzi")
    tailer, pipeline, checkpoints = make(tmp_path, source_types, store, from_beginning=True)
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 10  # the unfinished line waits for its newline
    with log.open("a") as out:
        out.write("bar\n" + line(10))
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 12
    assert store.count(EventQuery(text="zanzibar")) == 1
    saved = checkpoints.load(f"tail:t:{log.resolve()}")
    assert saved == {"inode": log.stat().st_ino, "offset": log.stat().st_size}
    tailer.close()


def test_starts_at_the_end_unless_asked(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("".join(line(i) for i in range(5)))
    tailer, pipeline, _ = make(tmp_path, source_types, store)
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 0
    with log.open("a") as out:
        out.write(line(5))
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 1
    tailer.close()


def test_rename_rotation_loses_nothing(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text(line(0))
    tailer, pipeline, _ = make(tmp_path, source_types, store, from_beginning=True)
    poll(tailer, pipeline)
    with log.open("a") as out:
        out.write(line(1) + line(2).rstrip("\n"))  # written just before the rotation
    os.rename(log, tmp_path / "logs" / "app.log.1")
    log.write_text(line(3) + line(4))
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 5
    tailer.close()


def test_copytruncate_starts_again(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("".join(line(i) for i in range(6)))
    tailer, pipeline, _ = make(tmp_path, source_types, store, from_beginning=True)
    poll(tailer, pipeline)
    with log.open("r+") as out:
        out.truncate(0)
    with log.open("a") as out:
        out.write(line(100))
    poll(tailer, pipeline)
    assert store.count(EventQuery()) == 7
    tailer.close()


def test_restart_resumes_from_the_state_db_checkpoint(
    tmp_path: Path, source_types: dict[str, SourceType], store: SqliteEventStore
) -> None:
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("".join(line(i) for i in range(20)))
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    pattern = [str(tmp_path / "logs" / "*.log")]
    first = Pipeline(store, batch_size=5)
    tailer = FileTailer("t", pattern, source_types["syslog"], first, StateCheckpoints(state),
                        from_beginning=True)  # fmt: skip
    poll(tailer, first)
    tailer.close()
    with log.open("a") as out:
        out.write(line(20))
    second = Pipeline(store, batch_size=5)
    again = FileTailer("t", pattern, source_types["syslog"], second, StateCheckpoints(state),
                       from_beginning=True)  # fmt: skip
    poll(again, second)
    assert second.stats.counters("syslog").read == 1
    assert store.count(EventQuery()) == 21
    again.close()
    state.close()


def test_a_fault_while_storing_is_reported_and_the_tailer_goes_on(
    tmp_path: Path,
    source_types: dict[str, SourceType],
    store: SqliteEventStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tailer, _, _ = make(tmp_path, source_types, store, from_beginning=True)
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("".join(line(n) for n in range(3)))
    write = store.write

    def broken(events: Any) -> Any:
        raise AttributeError("'str' object has no attribute 'get'")

    store.write = broken  # type: ignore[method-assign]
    tailer.step()  # does not raise
    assert "events lost: AttributeError" in capsys.readouterr().err
    store.write = write  # type: ignore[method-assign]
    with log.open("a") as out:
        out.write(line(3))
    tailer.step()
    assert store.count(EventQuery()) == 1  # the pass that failed is lost, the tailer is not
