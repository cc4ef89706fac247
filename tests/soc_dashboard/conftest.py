"""Console fixtures: a temporary state DB and event store, seeded alerts, users, a test client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from soc.config import Settings
from soc.ecs import Event, format_timestamp
from soc.errors import StoreUnavailable
from soc.state.db import StateDB, open_state
from soc.state.models import Agency, Alert, ComplianceResult, System, User
from soc.stores.base import EventStore
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.accounts import hash_password

PASSWORD = "correct-horse-battery"
NOW = datetime.now(UTC).replace(microsecond=0)


def make_event(
    n: int,
    *,
    dataset: str = "linux.auth",
    ip: str = "203.0.113.7",
    minutes_ago: int = 5,
    message: str = "Failed password for root",
) -> Event:
    return {
        "@timestamp": format_timestamp(NOW - timedelta(minutes=minutes_ago)),
        "event": {"id": f"ev-{n:04d}", "dataset": dataset, "kind": "event"},
        "source": {"ip": ip},
        "destination": {"ip": "10.10.1.5"},
        "host": {"name": "portal-web-01"},
        "user": {"name": "root"},
        "message": f"{message} #{n}",
    }


class DownStore(EventStore):
    """An event store that is unreachable: every read raises ``StoreUnavailable``."""

    NAME = "down"

    def _down(self, *_: Any, **__: Any) -> Any:
        raise StoreUnavailable("event store down (test)", source="down")

    write = write_dead_letters = search = count = aggregate = dead_letters = _down

    def close(self) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateDB]:
    db = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    yield db
    db.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteEventStore]:
    events = SqliteEventStore(tmp_path / "events.db")
    events.write([make_event(i) for i in range(6)])
    events.write(
        [
            make_event(100 + i, dataset="suricata.eve", ip="198.51.100.9", message="ET SCAN")
            for i in range(3)
        ]
    )
    yield events
    events.close()


def seed_alert(state: StateDB, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "group_key": "g1",
        "engine": "sigma",
        "rule_id": "soc-ssh-bruteforce",
        "rule_title": "SSH brute force against the portal",
        "rule_level": "high",
        "severity": 73,
        "status": "new",
        "tactics": ["credential-access"],
        "techniques": ["T1110.001"],
        "entities": {"source_ip": "203.0.113.7", "host": "portal-web-01", "user": "root"},
        "event_ids": ["ev-0000", "ev-0001", "ev-missing"],
        "count": 3,
        "first_seen": NOW - timedelta(minutes=30),
        "last_seen": NOW - timedelta(minutes=5),
        "system_id": "dng-portal",
    }
    values.update(overrides)
    with state.session() as s:
        alert = Alert(**values)
        s.add(alert)
        s.flush()
        return alert.id


def seed_inventory(state: StateDB) -> None:
    with state.session() as s:
        s.add(
            Agency(
                id="dng-stttt",
                name="Sở Thông tin và Truyền thông",
                name_en="Department of Information and Communications",
                kind="department",
            )
        )
        s.flush()
        s.add(
            System(
                id="dng-portal",
                name="Cổng dịch vụ công",
                agency_id="dng-stttt",
                zone="egov",
                security_level=3,
                ip_ranges=["10.10.1.0/24"],
                hostnames=["dichvucong.danang.gov.vn"],
            )
        )


def seed_compliance(state: StateDB) -> None:
    with state.session() as s:
        for req, status in (
            ("log.central", "fail"),
            ("gov.dossier", "pass"),
            ("ir.plan", "unknown"),
        ):
            s.add(
                ComplianceResult(
                    run_id="run-1",
                    profile="current",
                    system_id="dng-portal",
                    requirement_id=req,
                    status=status,
                    severity="high",
                    message_vi=f"Yêu cầu {req}: {status}",
                    message_en=f"Requirement {req}: {status}",
                )
            )


@pytest.fixture(scope="session")
def password_hash() -> str:
    """``PASSWORD`` hashed once: scrypt is slow on purpose, tests need not pay it per user."""
    return hash_password(PASSWORD)


@pytest.fixture
def users(state: StateDB, password_hash: str) -> dict[str, str]:
    """One account per role, all with ``PASSWORD``; returns username → role."""
    roles = {"ana": "analyst", "boss": "admin", "audi": "auditor", "drill": "drill_leader"}
    with state.session() as s:
        for name, role in roles.items():
            s.add(User(username=name, password_hash=password_hash, role=role))
    return roles


@pytest.fixture
def app(settings: Settings, state: StateDB, store: SqliteEventStore, users: dict[str, str]) -> Any:
    from soc_dashboard.app import create_app

    return create_app(settings, state=state, store=store)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    test_client: FlaskClient = app.server.test_client()
    return test_client


def csrf_of(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf_of(client), "next": "/"},
    )


def callback_body(output_id: str, prop: str = "children") -> dict[str, Any]:
    """A minimal ``/_dash-update-component`` request writing one component."""
    return {
        "output": f"{output_id}.{prop}",
        "outputs": {"id": output_id, "property": prop},
        "inputs": [],
        "changedPropIds": [],
    }


def dash_call(
    client: FlaskClient,
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]] | None = None,
    changed: list[str] | None = None,
) -> Any:
    """POST one callback request the way the Dash renderer does."""
    if len(outputs) == 1:
        output = f"{outputs[0][0]}.{outputs[0][1]}"
        outs: Any = {"id": outputs[0][0], "property": outputs[0][1]}
    else:
        output = "." + "".join(f".{i}.{p}.." for i, p in outputs)
        outs = [{"id": i, "property": p} for i, p in outputs]
    body = {
        "output": output,
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
        "changedPropIds": changed or [],
    }
    return client.post("/_dash-update-component", json=body)
