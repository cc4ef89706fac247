"""A compliance run: facts → policies → results stored under a run id, compared with the previous
run, and a compliance alert raised for every requirement that newly fails."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from policies.base import PolicyEngine
from policies.catalog_loader import Catalog, ProfileName
from policies.facts import FactsContext, build_facts
from policies.plan import layout_for
from policies.policy_input import paused_gc, stream_systems
from policies.render import RequirementResult, SystemCompliance, render_system
from soc.config import Settings
from soc.ecs import utc_now
from soc.errors import PolicyError
from soc.inventory import LOCAL_TZ
from soc.state.db import StateDB
from soc.state.models import OPEN_ALERT_STATUSES, Alert, ComplianceResult, System
from soc.stores.base import EventStore

SEVERITY_SCORE = {"low": 25, "medium": 50, "high": 75, "critical": 90}
CLASSIFICATION_ROW = "CLS-LEVEL"  # a pseudo requirement row holding the level decision


@dataclass(frozen=True)
class Change:
    system_id: str
    requirement_id: str
    before: str | None
    after: str


@dataclass
class RunSummary:
    run_id: str
    profile: ProfileName
    at: datetime
    systems: list[SystemCompliance] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    alerts: int = 0
    previous_run: str | None = None

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for system in self.systems:
            for status, n in system.counts().items():
                totals[status] = totals.get(status, 0) + n
        return totals


def evaluate(
    engine: PolicyEngine,
    catalog: Catalog,
    session: Session,
    store: EventStore | None,
    ctx: FactsContext,
    system_ids: Iterable[str] | None = None,
) -> list[SystemCompliance]:
    """Evaluate every system (or those named) on ``ctx.at`` with the profile ``ctx.profile``."""
    on = ctx.at.astimezone(LOCAL_TZ).date()
    profile: ProfileName = catalog.profile_for(on, ctx.profile)
    facts = build_facts(session, store, replace(ctx, profile=profile), system_ids)
    found = []
    with paused_gc():  # rendered as the answers arrive: with workers, while they evaluate
        outputs = stream_systems(engine, [f.input for f in facts], layout_for(catalog))
        for fact, output in zip(facts, outputs, strict=True):
            if not isinstance(output, dict):
                raise PolicyError(f"no compliance result for {fact.system_id}")
            found.append(render_system(catalog, fact.system_id, profile, on, output, fact.records))
    return found


def _rows(run_id: str, at: datetime, system: SystemCompliance) -> list[ComplianceResult]:
    cls = system.classification
    level_row = ComplianceResult(
        run_id=run_id,
        evaluated_at=at,
        profile=system.profile,
        system_id=system.system_id,
        requirement_id=CLASSIFICATION_ROW,
        status="fail" if cls.get("approved_lower") else "pass",
        severity="high",
        message_vi=f"Cấp độ theo tiêu chí: {cls.get('level')}; phê duyệt: {cls.get('approved')}",
        message_en=f"Criteria level: {cls.get('level')}; approved: {cls.get('approved')}",
        evidence={"classification": cls, "layers": system.layers},
    )
    return [level_row] + [
        ComplianceResult(
            run_id=run_id,
            evaluated_at=at,
            profile=system.profile,
            system_id=r.system_id,
            requirement_id=r.requirement_id,
            status=r.status,
            severity=r.severity,
            message_vi=r.message_vi,
            message_en=r.message_en,
            evidence=r.evidence,
        )
        for r in system.results
    ]


def latest_run(session: Session, before: str | None = None) -> str | None:
    """The newest stored run id (other than ``before``)."""
    query = select(ComplianceResult.run_id, func.max(ComplianceResult.evaluated_at)).group_by(
        ComplianceResult.run_id
    )
    runs = sorted(session.execute(query).all(), key=lambda row: row[1], reverse=True)
    return next((run for run, _ in runs if run != before), None)


def system_runs(session: Session) -> dict[str, list[str]]:
    """Every system's runs, newest first (a run may cover only some systems)."""
    query = select(
        ComplianceResult.system_id, ComplianceResult.run_id, func.max(ComplianceResult.evaluated_at)
    ).group_by(ComplianceResult.system_id, ComplianceResult.run_id)
    found: dict[str, list[tuple[Any, str]]] = {}
    for system_id, run_id, at in session.execute(query).all():
        found.setdefault(system_id, []).append((at, run_id))
    return {k: [run for _, run in sorted(v, reverse=True)] for k, v in found.items()}


def results_of(session: Session, pairs: Iterable[tuple[str, str]]) -> list[ComplianceResult]:
    """Stored rows of the given (system, run) pairs."""
    wanted = set(pairs)
    runs = {run for _, run in wanted}
    if not runs:
        return []
    rows = session.scalars(select(ComplianceResult).where(ComplianceResult.run_id.in_(runs)))
    return [r for r in rows if (r.system_id, r.run_id) in wanted]


def latest_statuses(
    session: Session, system_ids: Iterable[str] | None = None, *, skip: int = 0
) -> dict[tuple[str, str], str]:
    """(system, requirement) → status from each system's newest run (``skip`` newer ones)."""
    runs = system_runs(session)
    wanted = set(system_ids) if system_ids is not None else set(runs)
    pairs = [(s, r[skip]) for s, r in runs.items() if s in wanted and len(r) > skip]
    return {
        (row.system_id, row.requirement_id): row.status
        for row in results_of(session, pairs)
        if row.requirement_id != CLASSIFICATION_ROW
    }


def statuses(session: Session, run_id: str) -> dict[tuple[str, str], str]:
    query = select(ComplianceResult).where(ComplianceResult.run_id == run_id)
    return {
        (r.system_id, r.requirement_id): r.status
        for r in session.scalars(query)
        if r.requirement_id != CLASSIFICATION_ROW
    }


def changes_between(
    before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
) -> list[Change]:
    return [
        Change(system, req, before.get((system, req)), status)
        for (system, req), status in sorted(after.items())
        if before.get((system, req)) != status
    ]


def _alert_key(system_id: str, requirement_id: str) -> str:
    return hashlib.sha256(f"compliance|{system_id}|{requirement_id}".encode()).hexdigest()[:64]


def raise_alerts(
    session: Session, changes: Iterable[Change], results: Iterable[RequirementResult], at: datetime
) -> int:
    """One compliance alert per requirement that fails now and did not before (grouped if open)."""
    by_key = {(r.system_id, r.requirement_id): r for r in results}
    agencies: dict[str, str | None] = {
        sid: aid for sid, aid in session.execute(select(System.id, System.agency_id))
    }
    raised = 0
    for change in changes:
        result = by_key.get((change.system_id, change.requirement_id))
        if change.after != "fail" or result is None:
            continue
        key = _alert_key(change.system_id, change.requirement_id)
        existing = session.scalar(
            select(Alert).where(Alert.group_key == key, Alert.status.in_(OPEN_ALERT_STATUSES))
        )
        if existing is not None:
            existing.count += 1
            existing.last_seen = at
            continue
        session.add(
            Alert(
                group_key=key,
                engine="compliance",
                rule_id=result.requirement_id,
                rule_title=result.message_vi[:512],
                rule_level=result.severity,
                severity=SEVERITY_SCORE.get(result.severity, 50),
                entities={"system": change.system_id, "message_en": result.message_en},
                first_seen=at,
                last_seen=at,
                system_id=change.system_id,
                agency_id=agencies.get(change.system_id),
            )
        )
        raised += 1
    return raised


def run_compliance(
    engine: PolicyEngine,
    catalog: Catalog,
    state: StateDB,
    store: EventStore | None,
    ctx: FactsContext,
    *,
    system_ids: Iterable[str] | None = None,
    save: bool = True,
    alert: bool = True,
    now: Callable[[], datetime] = utc_now,
) -> RunSummary:
    """Evaluate, store the results under a new run id, diff with the last run, raise alerts.
    Alerts are raised only for a stored evaluation of the present: a trial (``save=False``) or
    an evaluation of a past date (``soc policy eval --date``) tells nobody on duty."""
    at = ctx.at.astimezone(UTC)
    with state.session() as session:
        systems = evaluate(engine, catalog, session, store, ctx, system_ids)
    profile = systems[0].profile if systems else catalog.profile_for(at.date(), ctx.profile)
    summary = RunSummary(
        run_id=f"run-{at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", profile=profile, at=at
    )
    summary.systems = systems
    with state.session() as session:
        summary.previous_run = latest_run(session)
        before = latest_statuses(session, [s.system_id for s in systems])
        after = {(r.system_id, r.requirement_id): r.status for s in systems for r in s.results}
        summary.changes = changes_between(before, after)
        if save:
            for system in systems:
                session.add_all(_rows(summary.run_id, at, system))
        if alert and save and before and at >= now() - PRESENT:
            results = [r for s in systems for r in s.results]
            summary.alerts = raise_alerts(session, summary.changes, results, now())
    return summary


PRESENT = timedelta(hours=1)  # an evaluation moment this close to now is "now"


def compliance_job(
    settings: Settings, state: StateDB, store: EventStore | None
) -> Callable[[], RunSummary]:
    """For ``soc up``'s scheduler: compile the policies once, then each call evaluates every
    system now, stores the run and raises an alert for each requirement that newly fails."""
    from policies.base import create_engine
    from policies.catalog_loader import load_catalog

    engine = create_engine(settings.policy)
    catalog = load_catalog()

    def run() -> RunSummary:
        return scheduled_compliance(
            engine,
            catalog,
            state,
            store,
            profile=settings.policy.profile,
            window_hours=settings.policy.live_window_hours,
            store_retention_days=settings.store.active_retention_days(),
        )

    return run


def scheduled_compliance(
    engine: PolicyEngine,
    catalog: Catalog,
    state: StateDB,
    store: EventStore | None,
    *,
    profile: str = "auto",
    window_hours: int = 24,
    store_retention_days: int | None = None,
) -> RunSummary:
    """What ``soc up``'s scheduler calls: evaluate now, store, alert on what newly fails.
    ``store_retention_days``: what the event store keeps (a shorter store fails retention)."""
    ctx = FactsContext(
        at=utc_now(),
        profile=profile,
        window_hours=window_hours,
        store_retention_days=store_retention_days,
    )
    return run_compliance(engine, catalog, state, store, ctx)
