"""Compliance results of the latest policy evaluation: per system, per requirement, and what
changed since each system's previous evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from policies.compliance import (
    CLASSIFICATION_ROW,
    changes_between,
    results_of,
    statuses,
    system_runs,
)
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


# Worse first: a requirement that starts failing matters more than one that starts passing.
_RANK = {"fail": 0, "unknown": 1, "not_applicable": 2, "pass": 3}


@dataclass(frozen=True, slots=True)
class RunChanges:
    """What changed in ``run_id`` against each of its systems' previous evaluation."""

    rows: list[dict[str, Any]]
    compared: int  # systems of the run that had a previous evaluation
    worse: int
    better: int


def changes_since_previous(
    session: Session, run_id: str, lang: str, *, limit: int = MAX_RESULTS
) -> RunChanges:
    """Per system, the run's statuses against that system's run before it (a run may cover
    only some systems), with the same rule as the compliance alerts (``changes_between``)."""
    after = statuses(session, run_id)
    history = system_runs(session)
    pairs = []
    for system_id in {s for s, _ in after}:
        runs = history.get(system_id, [])
        position = runs.index(run_id) if run_id in runs else len(runs)
        if position + 1 < len(runs):
            pairs.append((system_id, runs[position + 1]))
    compared = {s for s, _ in pairs}
    before = {
        (r.system_id, r.requirement_id): r.status
        for r in results_of(session, pairs)
        if r.requirement_id != CLASSIFICATION_ROW
    }
    changes = changes_between(before, {k: v for k, v in after.items() if k[0] in compared})
    changes.sort(key=lambda c: (_RANK.get(c.after, 1), c.system_id, c.requirement_id))
    messages = _messages(session, run_id, lang, {(c.system_id, c.requirement_id) for c in changes})
    rows = [
        {
            "system": c.system_id,
            "requirement": c.requirement_id,
            "before": label("compliance_status", c.before or "none", lang),
            "before_key": c.before or "none",
            "after": label("compliance_status", c.after, lang),
            "after_key": c.after,
            "message": messages.get((c.system_id, c.requirement_id), ""),
        }
        for c in changes[: max(1, limit)]
    ]
    worse = sum(1 for c in changes if _RANK.get(c.after, 1) < _RANK.get(c.before or "", 1))
    better = sum(1 for c in changes if _RANK.get(c.after, 1) > _RANK.get(c.before or "", 1))
    return RunChanges(rows, len(compared), worse, better)


def _messages(
    session: Session, run_id: str, lang: str, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    if not keys:
        return {}
    query = select(ComplianceResult).where(
        ComplianceResult.run_id == run_id,
        ComplianceResult.system_id.in_({s for s, _ in keys}),
    )
    return {
        (r.system_id, r.requirement_id): (r.message_en or r.message_vi)
        if lang == "en"
        else (r.message_vi or r.message_en)
        for r in session.scalars(query)
        if (r.system_id, r.requirement_id) in keys
    }
