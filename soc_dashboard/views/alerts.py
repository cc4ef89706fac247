"""Alert queue: bounded filtered lists, table rows, and the audited status changes analysts make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soc.ecs import get_field, utc_now
from soc.errors import AuthError, SocError
from soc.state.models import ALERT_STATUSES, CLOSED_ALERT_STATUSES, OPEN_ALERT_STATUSES, Alert
from soc_dashboard import audit
from soc_dashboard.context import Actor
from soc_dashboard.i18n import format_time, label
from soc_dashboard.roles import require

STATUSES = ALERT_STATUSES
OPEN_STATUSES = OPEN_ALERT_STATUSES
LEVELS = ("critical", "high", "medium", "low", "informational")
ENGINES = ("sigma", "suricata", "yara", "compliance")
MAX_ROWS = 500
DEFAULT_ROWS = 200
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    to_status: str
    from_statuses: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("acknowledge", "acknowledged", frozenset({"new"})),
        Transition("investigate", "in_progress", frozenset({"new", "acknowledged"})),
        Transition("close", "closed", frozenset(OPEN_STATUSES)),
        Transition("false_positive", "false_positive", frozenset(OPEN_STATUSES)),
        # Closed by mistake, or the threat came back: handling resumes on the same alert.
        Transition("reopen", "in_progress", frozenset(CLOSED_ALERT_STATUSES)),
    )
}


class TransitionRefused(SocError):
    """The alert is not in a status the action applies to (someone else may have acted first)."""

    def __init__(self, alert_id: int, status: str, action: str) -> None:
        super().__init__(f"alert {alert_id} is {status}; cannot {action}")
        self.status = status


@dataclass(frozen=True, slots=True)
class AlertFilter:
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    system_id: str | None = None
    limit: int = DEFAULT_ROWS

    @classmethod
    def from_inputs(
        cls, statuses: Any, levels: Any, engines: Any, system_id: Any, limit: int = DEFAULT_ROWS
    ) -> AlertFilter:
        """From dropdown values (None, one value or a list); values outside the known sets drop."""

        def pick(value: Any, known: tuple[str, ...]) -> tuple[str, ...]:
            values = value if isinstance(value, list | tuple) else [value]
            return tuple(v for v in values if v in known)

        system = system_id if isinstance(system_id, str) and system_id else None
        return cls(
            pick(statuses, STATUSES),
            pick(levels, LEVELS),
            pick(engines, ENGINES),
            system[:64] if system else None,
            max(1, min(limit, MAX_ROWS)),
        )


def list_alerts(session: Session, flt: AlertFilter) -> list[Alert]:
    """Newest (by last seen) first, at most ``flt.limit``."""
    query = select(Alert).order_by(Alert.last_seen.desc(), Alert.id.desc())
    if flt.statuses:
        query = query.where(Alert.status.in_(flt.statuses))
    if flt.levels:
        query = query.where(Alert.rule_level.in_(flt.levels))
    if flt.engines:
        query = query.where(Alert.engine.in_(flt.engines))
    if flt.system_id:
        query = query.where(Alert.system_id == flt.system_id)
    return list(session.scalars(query.limit(flt.limit)))


def system_choices(session: Session, limit: int = 500) -> list[str]:
    """Systems that have alerts, for the filter (bounded)."""
    query = select(Alert.system_id).where(Alert.system_id.is_not(None)).distinct()
    return sorted(s for s in session.scalars(query.limit(limit)) if s)


# Detections store entities under short names (``source_ip``); ECS paths are accepted too.
ENTITY_KEYS: dict[str, tuple[str, ...]] = {
    "source_ip": ("source_ip", "source.ip"),
    "destination_ip": ("destination_ip", "destination.ip"),
    "host": ("host", "host.name"),
    "user": ("user", "user.name"),
}


def entity(alert: Alert, name: str) -> str:
    """One entity of the alert as text (first three values of a list)."""
    for key in ENTITY_KEYS.get(name, (name,)):
        value = get_field(alert.entities or {}, key)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value[:3])
        if value is not None:
            return str(value)
    return ""


def alert_row(alert: Alert, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": alert.id,
        "last_seen": format_time(alert.last_seen, tz, lang, seconds=False),
        "level": label("level", alert.rule_level, lang),
        "level_key": alert.rule_level,
        "title": alert.rule_title,
        "engine": label("engine", alert.engine, lang),
        "status": label("status", alert.status, lang),
        "status_key": alert.status,
        "count": alert.count,
        "system": alert.system_id or "",
        "source_ip": entity(alert, "source_ip"),
        "host": entity(alert, "host"),
    }


def alert_rows(alerts: list[Alert], lang: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [alert_row(a, lang, tz) for a in alerts]


def apply_action(
    session: Session,
    alert_id: int,
    action: str,
    actor: Actor,
    note: str = "",
    at: datetime | None = None,
) -> Alert:
    """Move an alert to the action's status (recording when it was acknowledged or closed, ``at``
    or now) and audit it; refuses roles and wrong statuses."""
    require(actor.role, "alerts.act")
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise AuthError(f"unknown alert action {action!r}")
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise SocError(f"alert {alert_id} not found")
    if alert.status not in transition.from_statuses:
        raise TransitionRefused(alert_id, alert.status, action)
    previous = alert.status
    alert.record_status(transition.to_status, at or utc_now())
    audit.record(
        session,
        actor.username,
        f"alert.{action}",
        f"alert:{alert_id}",
        status_from=previous,
        status_to=transition.to_status,
        note=note.strip()[:MAX_NOTE],
    )
    return alert


def actions_for(alert: Alert) -> list[str]:
    """The actions that apply to the alert in its current status, in button order."""
    return [t.action for t in TRANSITIONS.values() if alert.status in t.from_statuses]
