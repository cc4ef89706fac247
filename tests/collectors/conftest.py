"""Fixtures of the collection tests: a pipeline into a real embedded store, raw-record makers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.base import RawRecord
from collectors.registry import SourceType, build_source_types
from soc.config import IngestSettings
from soc.pipeline import Pipeline
from soc.stores.sqlite import SqliteEventStore

RECEIVED = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def record(line: str | bytes, offset: int | None = 0, source: str = "/var/log/test") -> RawRecord:
    data = line.encode() if isinstance(line, str) else line
    return RawRecord(data, source, offset, received_at=RECEIVED)


@pytest.fixture
def source_types() -> dict[str, SourceType]:
    return build_source_types(IngestSettings())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteEventStore]:
    events = SqliteEventStore(tmp_path / "events.db")
    yield events
    events.close()


@pytest.fixture
def pipeline(store: SqliteEventStore) -> Pipeline:
    return Pipeline(store, batch_size=500)
