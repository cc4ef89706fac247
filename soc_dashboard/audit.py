"""The audit trail: who did what to which object, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soc.state.models import AuditEntry

MAX_FIELD = 255


def record(
    session: Session, actor: str, action: str, target: str | None = None, **details: Any
) -> AuditEntry:
    """Add one entry to ``session`` (committed with the change it describes)."""
    entry = AuditEntry(
        actor=actor[:64],
        action=action[:64],
        target=target[:MAX_FIELD] if target else None,
        details=details,
    )
    session.add(entry)
    return entry


def recent(
    session: Session, *, limit: int = 200, actor: str | None = None, action: str | None = None
) -> list[AuditEntry]:
    """Newest entries first, bounded by ``limit``."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query.limit(max(1, min(limit, 1000)))))
