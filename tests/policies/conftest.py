"""Fixtures for the policy tests: one compiled engine, the demo inventory and evidence in a state
database, an embedded event store, and a way to feed events as a system would send them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from policies.bundle import default_bundle
from policies.catalog_loader import Catalog, load_catalog
from policies.engines.regopy import RegopyEngine
from soc.ecs import event_id, format_timestamp
from soc.inventory import import_evidence, import_inventory, load_evidence, load_inventory
from soc.state.db import StateDB, open_state
from soc.stores.sqlite import SqliteEventStore

DEMO = Path(__file__).resolve().parents[2] / "soc" / "data" / "danang"
AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Đà Nẵng


@pytest.fixture(scope="session")
def engine() -> Iterator[RegopyEngine]:
    eng = RegopyEngine()
    eng.load(default_bundle())
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def demo_state(directory: Path) -> StateDB:
    """A state database holding the demo inventory and evidence."""
    db = open_state(f"sqlite:///{directory / 'state.db'}")
    with db.session() as s:
        import_inventory(s, load_inventory(DEMO / "inventory.yaml"))
        found, _ = load_evidence(DEMO / "evidence.yaml")
        import_evidence(s, found)
    return db


@pytest.fixture
def state(tmp_path: Path) -> StateDB:
    return demo_state(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteEventStore]:
    st = SqliteEventStore(tmp_path / "events.db")
    yield st
    st.close()


def event(system_id: str | None, dataset: str, at: datetime, **extra: Any) -> dict[str, Any]:
    raw = f"{system_id}|{dataset}|{at.isoformat()}|{sorted(extra.items())}".encode()
    doc: dict[str, Any] = {
        "@timestamp": format_timestamp(at),
        "event": {"id": event_id("test", raw), "dataset": dataset, "kind": "event"},
    }
    if system_id:
        doc["soc"] = {"system_id": system_id}
    doc.update(extra)
    return doc


def feed_demo(store: SqliteEventStore, at: datetime = AT, *, skip: tuple[str, ...] = ()) -> None:
    """Every demo system sends every required source (old history and a recent event), and
    every IDS sensor reports; systems in ``skip`` send nothing."""
    inventory = load_inventory(DEMO / "inventory.yaml")
    events = []
    for system in inventory.systems:
        if system.id in skip:
            continue
        for ds in system.log_sources:
            events += [
                event(system.id, ds, at - timedelta(days=400)),
                event(system.id, ds, at - timedelta(hours=1)),
            ]
    for sensor in ("ids-dc-01", "ids-man-01", "ids-man-02"):
        events.append(
            event(None, "suricata.eve", at - timedelta(minutes=30), observer={"name": sensor})
        )
    store.write(events)
