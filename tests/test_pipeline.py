"""The pipeline's batches: enrichment before the store, a commit at every ``batch_size`` events,
observers and hooks after it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from soc.ecs import Event
from soc.pipeline import Pipeline
from soc.stores.base import WriteResult


class Store:
    """Keeps each written batch (ids), as the store would have committed them."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def write(self, events: Sequence[Event]) -> WriteResult:
        assert all(e["enriched"] == ["a", "b"] for e in events)  # enriched before the store
        self.batches.append([e["event"]["id"] for e in events])
        return WriteResult(ingested=len(events), duplicates=0)

    def write_dead_letters(self, letters: Sequence[Any]) -> None:
        raise AssertionError("no dead letters here")


def tag(name: str) -> Any:
    def enrich(event: Event) -> None:
        event.setdefault("enriched", []).append(name)

    return enrich


@pytest.mark.parametrize("batch_size", [1, 3, 5, 7, 50])
@pytest.mark.parametrize("chunks", [[1] * 12, [5, 0, 7], [12], [2, 9, 1], [4, 4, 4]])
def test_batches_are_cut_where_one_event_at_a_time_would_cut_them(
    batch_size: int, chunks: list[int]
) -> None:
    store = Store()
    committed: list[list[str]] = []

    class Observer:
        def committed(self, events: Sequence[Event]) -> None:
            committed.append([e["event"]["id"] for e in events])

    pipeline = Pipeline(
        store,  # type: ignore[arg-type]
        batch_size=batch_size,
        enrichers=[tag("a"), tag("b")],
        observers=[Observer()],
    )
    number = 0
    for size in chunks:
        events = [{"event": {"id": str(number + i)}} for i in range(size)]
        number += size
        pipeline.emit(events if size % 2 else iter(events))
    pipeline.flush()
    ids = [str(i) for i in range(number)]
    expected = [ids[i : i + batch_size] for i in range(0, number, batch_size)]
    assert store.batches == expected == committed
    assert pipeline.stats.total.ingested == number


class Keeping:
    """Keeps what it is given: committed events and dead letters."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.letters: list[Any] = []

    def write(self, events: Sequence[Event]) -> WriteResult:
        self.events.extend(events)
        return WriteResult(ingested=len(events), duplicates=0)

    def write_dead_letters(self, letters: Sequence[Any]) -> None:
        self.letters.extend(letters)


def fails_on_odd_numbers(event: Event) -> None:
    if event["n"] % 2:
        raise TypeError("'str' object does not support item assignment")
    event["checked"] = True


def test_an_event_an_enricher_fails_on_is_a_dead_letter_and_the_batch_goes_on() -> None:
    store = Keeping()
    pipeline = Pipeline(store, batch_size=100, enrichers=[fails_on_odd_numbers, tag("b")])  # type: ignore[arg-type]
    pipeline.source_type = "ecs-json"
    events: list[Event] = [
        {"n": n, "event": {"id": str(n), "original": f"line {n}"},
         "log": {"file": {"path": "/var/log/app.json"}, "offset": 10 * n}}
        for n in range(5)
    ]  # fmt: skip
    pipeline.emit(events)
    pipeline.flush()
    assert [e["n"] for e in store.events] == [0, 2, 4]
    assert all(e["checked"] and e["enriched"] == ["b"] for e in store.events)
    assert [(d.raw, d.offset, d.source) for d in store.letters] == [
        (b"line 1", 10, "/var/log/app.json"),
        (b"line 3", 30, "/var/log/app.json"),
    ]
    assert store.letters[0].reason == (
        "enricher fails_on_odd_numbers failed: TypeError: "
        "'str' object does not support item assignment"
    )
    assert store.letters[0].source_type == "ecs-json"
    assert pipeline.stats.counters("ecs-json").rejected == 2
