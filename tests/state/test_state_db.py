"""State database: migrations apply on SQLite and on a real PostgreSQL server, models round-trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from soc.state.db import open_state
from soc.state.models import Alert, AuditEntry, Exchange, Incident, System, User

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
        system = s.get(System, "dvc")
        assert system is not None and system.name == "Cổng dịch vụ công"
        assert system.attributes == {"procedures": 1700}
        assert s.scalar(select(User.role)) == "analyst"
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
