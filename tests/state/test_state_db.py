"""State database: migrations apply on SQLite and on a real PostgreSQL server, models round-trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from soc.state.db import alembic_config, open_state
from soc.state.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AuditEntry,
    Exchange,
    Incident,
    System,
    User,
)

TABLES = {
    "agencies",
    "systems",
    "alerts",
    "incidents",
    "evidence",
    "compliance_results",
    "reports",
    "exchanges",
    "users",
    "audit_log",
    "suppressions",
    "checkpoints",
}


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _round_trip(url: str) -> None:
    db = open_state(url)
    db.migrate()  # a second run is a no-op
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with db.session() as s:
        s.add(
            System(
                id="dvc",
                name="Cổng dịch vụ công",
                zone="egov",
                security_level=3,
                ip_ranges=["203.0.113.0/28"],
                attributes={"procedures": 1700},
            )
        )
        incident = Incident(title="Tấn công SQLi", severity="high")
        s.add(incident)
        s.flush()
        s.add(
            Alert(
                group_key="g1",
                engine="sigma",
                rule_id="r1",
                rule_title="SQL injection",
                first_seen=now,
                last_seen=now,
                entities={"source.ip": "198.51.100.7"},
                event_ids=["a", "b"],
                incident_id=incident.id,
            )
        )
        s.add(User(username="analyst", password_hash="scrypt:x", role="analyst"))
        s.add(AuditEntry(actor="analyst", action="alert.ack", target="1"))
        s.add(Exchange(direction="outbound", kind="statistics", status="ok"))
    with db.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.entities == {"source.ip": "198.51.100.7"}
        assert alert.event_ids == ["a", "b"]
        assert alert.acknowledged_at is None and alert.closed_at is None
        alert.acknowledged_at = now + timedelta(minutes=30)
        alert.closed_at = now + timedelta(hours=2)
        system = s.get(System, "dvc")
        assert system is not None and system.name == "Cổng dịch vụ công"
        assert system.attributes == {"procedures": 1700}
        assert s.scalar(select(User.role)) == "analyst"
    with db.session() as s:
        alert = s.scalars(select(Alert)).one()
        # SQLite gives the UTC time back without its offset, PostgreSQL with it.
        assert _utc(alert.acknowledged_at) == now + timedelta(minutes=30)
        assert _utc(alert.closed_at) == now + timedelta(hours=2)
    db.close()


def test_sqlite_state_round_trip(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.postgres
def test_postgres_state_round_trip(postgres_url: str) -> None:
    db = open_state(postgres_url)
    with db.engine.connect() as conn:
        version = conn.execute(text("select version()")).scalar_one()
    assert "PostgreSQL" in version  # a real server answered, not SQLite
    db.close()
    _round_trip(postgres_url)


def _alembic(url: str, action: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            getattr(command, action)(cfg, revision)
    finally:
        engine.dispose()


def _alert_columns(url: str) -> dict[str, bool]:
    engine = create_engine(url)
    try:
        return {c["name"]: c["nullable"] for c in inspect(engine).get_columns("alerts")}
    finally:
        engine.dispose()


def _handling_times_migration(url: str) -> None:
    """0001 → 0002 on a database holding an alert: the columns appear empty, the row stays; the
    downgrade removes them and keeps the row; migrating again is a no-op."""
    _alembic(url, "upgrade", "0001")
    assert "acknowledged_at" not in _alert_columns(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into alerts (group_key, engine, rule_id, rule_title, rule_level, severity,"
                " status, tactics, techniques, entities, event_ids, count, first_seen, last_seen,"
                " created_at) values ('g', 'sigma', 'r', 'T', 'high', 75, 'acknowledged', '[]',"
                " '[]', '{}', '[]', 1, :t, :t, :t)"
            ),
            {"t": datetime(2026, 11, 1, tzinfo=UTC)},
        )
    engine.dispose()
    _alembic(url, "upgrade", "head")
    columns = _alert_columns(url)
    assert columns["acknowledged_at"] is True and columns["closed_at"] is True
    db = open_state(url)  # at head already: nothing to do
    with db.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.rule_id, alert.status) == ("r", "acknowledged")
        assert alert.acknowledged_at is None and alert.closed_at is None  # not known before
    db.close()
    _alembic(url, "downgrade", "0001")
    assert not {"acknowledged_at", "closed_at"} & set(_alert_columns(url))
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from alerts")).scalar_one() == 1
    engine.dispose()
    _alembic(url, "upgrade", "head")
    assert {"acknowledged_at", "closed_at"} <= set(_alert_columns(url))


def test_sqlite_handling_times_migration(tmp_path: Path) -> None:
    _handling_times_migration(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.postgres
def test_postgres_handling_times_migration(postgres_url: str) -> None:
    name = f"soc_mig_{uuid4().hex[:12]}"  # a database of its own: the server is shared
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"create database {name}"))
    admin.dispose()
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    _handling_times_migration(url)


def test_open_alert_statuses_are_those_the_alert_writer_groups_into() -> None:
    from detections.alert_store import OPEN_STATUSES

    assert set(OPEN_STATUSES) == set(OPEN_ALERT_STATUSES)
