"""Compliance results of the latest policy evaluation: per system and per requirement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soc.state.models import ComplianceResult, System
from soc_dashboard.i18n import label

STATUSES = ("fail", "unknown", "pass", "not_applicable")
MAX_RESULTS = 2000
MAX_SYSTEMS = 2000


@dataclass(frozen=True, slots=True)
class ComplianceRun:
    run_id: str
    evaluated_at: datetime
    profile: str


def latest_run(session: Session) -> ComplianceRun | None:
    row = session.execute(
        select(ComplianceResult.run_id, ComplianceResult.evaluated_at, ComplianceResult.profile)
        .order_by(ComplianceResult.evaluated_at.desc(), ComplianceResult.id.desc())
        .limit(1)
    ).first()
    return ComplianceRun(row[0], row[1], row[2]) if row else None


def system_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(System.id, System.name).limit(MAX_SYSTEMS))
    return {system_id: name for system_id, name in rows}


def summary_rows(session: Session, run_id: str) -> list[dict[str, Any]]:
    """One row per system: how many requirements pass, fail, lack evidence or do not apply."""
    names = system_names(session)
    query = (
        select(ComplianceResult.system_id, ComplianceResult.status, func.count())
        .where(ComplianceResult.run_id == run_id)
        .group_by(ComplianceResult.system_id, ComplianceResult.status)
    )
    rows: dict[str, dict[str, Any]] = {}
    for system_id, status, count in session.execute(query):
        row = rows.setdefault(
            system_id,
            {"system": system_id, "name": names.get(system_id, ""), **dict.fromkeys(STATUSES, 0)},
        )
        row[status if status in STATUSES else "unknown"] += int(count)
    # Worst first: the administrator's eye goes to failures.
    return sorted(rows.values(), key=lambda r: (-r["fail"], -r["unknown"], r["system"]))


def result_rows(
    session: Session,
    run_id: str,
    lang: str,
    *,
    system_id: str | None = None,
    status: str | None = None,
    limit: int = MAX_RESULTS,
) -> list[dict[str, Any]]:
    query = select(ComplianceResult).where(ComplianceResult.run_id == run_id)
    if system_id:
        query = query.where(ComplianceResult.system_id == system_id)
    if status in STATUSES:
        query = query.where(ComplianceResult.status == status)
    query = query.order_by(ComplianceResult.system_id, ComplianceResult.requirement_id)
    return [
        {
            "system": r.system_id,
            "requirement": r.requirement_id,
            "status": label("compliance_status", r.status, lang),
            "status_key": r.status,
            "severity": label("level", r.severity, lang),
            # Fall back to the other language rather than show an empty finding.
            "message": (r.message_en or r.message_vi)
            if lang == "en"
            else (r.message_vi or r.message_en),
        }
        for r in session.scalars(query.limit(max(1, min(limit, MAX_RESULTS))))
    ]
