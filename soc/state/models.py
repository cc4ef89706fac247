"""State-database models: what the SOC knows and decides, as opposed to the raw events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from soc.ecs import utc_now

# An alert's life: new → acknowledged → in progress → closed or false positive, and a closed one
# may be reopened (back to in progress). The open statuses still await handling: the alert writer
# groups new detections into them, the console lists them by default and the policy facts count
# them. This is the one list every part reads.
ALERT_STATUSES = ("new", "acknowledged", "in_progress", "closed", "false_positive")
OPEN_ALERT_STATUSES = ("new", "acknowledged", "in_progress")
CLOSED_ALERT_STATUSES = tuple(s for s in ALERT_STATUSES if s not in OPEN_ALERT_STATUSES)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Agency(Base):
    """A body on the city's networks: department, district, ward, police, school, hospital."""

    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="department")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    ip_ranges: Mapped[list[Any]] = mapped_column(default=list)


class System(Base):
    """An information system with its (approved) security level and how to recognise its traffic."""

    __tablename__ = "systems"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    zone: Mapped[str] = mapped_column(String(16), default="datacenter")
    hosting: Mapped[str | None] = mapped_column(String(64))
    security_level: Mapped[int | None] = mapped_column(Integer)
    ip_ranges: Mapped[list[Any]] = mapped_column(default=list)
    hostnames: Mapped[list[Any]] = mapped_column(default=list)
    urls: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    agency: Mapped[Agency | None] = relationship()


class Alert(Base):
    """A detection result; identical hits inside the grouping window raise ``count``."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_group", "group_key", "last_seen"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_key: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(16))  # sigma | suricata | yara | compliance
    rule_id: Mapped[str] = mapped_column(String(128), index=True)
    rule_title: Mapped[str] = mapped_column(String(512))
    rule_level: Mapped[str] = mapped_column(String(16), default="medium")
    severity: Mapped[int] = mapped_column(Integer, default=50)
    priority: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    tactics: Mapped[list[Any]] = mapped_column(default=list)
    techniques: Mapped[list[Any]] = mapped_column(default=list)
    entities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    event_ids: Mapped[list[Any]] = mapped_column(default=list)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    system_id: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[str | None] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Handling times: first move out of "new", and the moment it reached a closed status.
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def record_status(self, status: str, at: datetime) -> None:
        """Move to ``status`` at ``at``, keeping the handling times: acknowledged the first time
        the alert leaves "new", closed when it reaches a status outside OPEN_ALERT_STATUSES (the
        time cleared again if it reopens)."""
        self.status = status
        if status != "new" and self.acknowledged_at is None:
            self.acknowledged_at = at
        if status in OPEN_ALERT_STATUSES:
            self.closed_at = None
        elif self.closed_at is None:
            self.closed_at = at


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    severity: Mapped[str] = mapped_column(String(16), default="medium")
    category: Mapped[str | None] = mapped_column(String(64))
    system_id: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    playbook: Mapped[str | None] = mapped_column(String(128))
    must_report: Mapped[bool] = mapped_column(Boolean, default=False)
    report_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Evidence(Base):
    """A declared fact about a system: a dossier, an assessment, a contract, a drill."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    system_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    assessor: Mapped[str | None] = mapped_column(String(255))
    provider: Mapped[str | None] = mapped_column(String(255))
    reference: Mapped[str | None] = mapped_column(String(512))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ComplianceResult(Base):
    __tablename__ = "compliance_results"
    __table_args__ = (Index("ix_compliance_run", "run_id", "system_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64))
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    profile: Mapped[str] = mapped_column(String(16))
    system_id: Mapped[str] = mapped_column(String(64))
    requirement_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pass | fail | not_applicable | unknown
    severity: Mapped[str] = mapped_column(String(16), default="medium")
    message_vi: Mapped[str] = mapped_column(Text, default="")
    message_en: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Report(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # incident | statistics | compliance
    period: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Exchange(Base):
    """A report or indicator exchange with the national monitoring centre (four-layer, layer 4)."""

    __tablename__ = "exchanges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    direction: Mapped[str] = mapped_column(String(8))  # outbound | inbound
    kind: Mapped[str] = mapped_column(String(32))  # incident_report | statistics | indicators
    status: Mapped[str] = mapped_column(String(16))  # ok | failed
    system_id: Mapped[str | None] = mapped_column(String(64))
    counterpart: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | analyst | auditor | drill_leader
    display_name: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Suppression(Base):
    """An allow-list entry: alerts of ``rule_id`` whose entity ``field`` equals ``value``."""

    __tablename__ = "suppressions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Checkpoint(Base):
    """Persisted progress: file offsets, scheduled-detection positions. Written after commits."""

    __tablename__ = "checkpoints"
    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
