"""Suppressions: allow-list entries (rule + entity value, reason, author, expiry), audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from detections.alerts import ENTITY_FIELDS, AlertDraft
from soc.ecs import utc_now
from soc.errors import SocError
from soc.state.models import AuditEntry, Suppression

ANY_RULE = "*"


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ActiveSuppression:
    id: int
    rule_id: str
    field: str
    value: str

    def covers(self, draft: AlertDraft) -> bool:
        if self.rule_id not in (ANY_RULE, draft.rule.id):
            return False
        return draft.entities.get(self.field, "").lower() == self.value.lower()


def active_suppressions(session: Session, now: datetime | None = None) -> list[ActiveSuppression]:
    moment = now or utc_now()
    rows = session.scalars(
        select(Suppression).where(
            or_(Suppression.expires_at.is_(None), Suppression.expires_at > moment)
        )
    )
    return [ActiveSuppression(r.id, r.rule_id, r.field, r.value) for r in rows]


def suppressed_by(
    draft: AlertDraft, rules: Sequence[ActiveSuppression]
) -> ActiveSuppression | None:
    return next((s for s in rules if s.covers(draft)), None)


def add_suppression(
    session: Session,
    *,
    rule_id: str,
    field: str,
    value: str,
    reason: str,
    author: str,
    expires_at: datetime | None = None,
) -> Suppression:
    """Create an entry and its audit record; entity names only (host, user, source_ip…)."""
    if field not in ENTITY_FIELDS:
        raise SocError(
            f"cannot suppress on {field!r}", hint=f"use one of {', '.join(ENTITY_FIELDS)}"
        )
    if not reason.strip() or not author.strip():
        raise SocError("a suppression needs a reason and an author")
    if expires_at is not None and aware(expires_at) <= utc_now():  # type: ignore[operator]
        raise SocError("the expiry is in the past")
    row = Suppression(
        rule_id=rule_id,
        field=field,
        value=value,
        reason=reason,
        author=author,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    _audit(session, author, "suppression.add", row, {"reason": reason})
    return row


def remove_suppression(session: Session, suppression_id: int, actor: str) -> None:
    row = session.get(Suppression, suppression_id)
    if row is None:
        raise SocError(f"no suppression {suppression_id}")
    _audit(session, actor, "suppression.remove", row, {})
    session.delete(row)


def _audit(
    session: Session, actor: str, action: str, row: Suppression, extra: Mapping[str, Any]
) -> None:
    expires = aware(row.expires_at)
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            target=f"suppression:{row.id}",
            details={
                "rule_id": row.rule_id,
                "field": row.field,
                "value": row.value,
                "expires_at": expires.isoformat() if expires else None,
                **extra,
            },
        )
    )
