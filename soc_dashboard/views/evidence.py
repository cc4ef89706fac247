"""Declared evidence as the console lists it: filtered by system and kind, expiry made visible."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soc.state.models import Agency, Evidence, System
from soc_dashboard.i18n import label, t

MAX_ROWS = 2000


def evidence_rows(
    session: Session,
    lang: str,
    *,
    system: str | None = None,
    kind: str | None = None,
    today: date | None = None,
    limit: int = MAX_ROWS,
) -> list[dict[str, Any]]:
    """Newest first (the latest issued on top), as ``soc evidence list`` filters them."""
    query = select(Evidence)
    if system:
        query = query.where(Evidence.system_id == system)
    if kind:
        query = query.where(Evidence.kind == kind)
    query = query.order_by(Evidence.issued_on.desc(), Evidence.id.desc())
    today = today or date.today()
    rows = []
    for e in session.scalars(query.limit(max(1, min(limit, MAX_ROWS)))):
        expired = e.expires_on is not None and e.expires_on < today
        rows.append(
            {
                "id": str((e.details or {}).get("key", f"ev-{e.id}")),
                "kind": label("evidence_kind", e.kind, lang),
                "subject": e.system_id or e.agency_id or "",
                "title": e.title,
                "issued_on": e.issued_on.isoformat() if e.issued_on else "",
                "expires_on": (e.expires_on.isoformat() if e.expires_on else "")
                + (f" ({t('evidence.expired', lang)})" if expired else ""),
                "reference": e.reference or "",
                "by": e.assessor or e.provider or "",
            }
        )
    return rows


def subject_choices(session: Session) -> tuple[list[str], list[str]]:
    """The ids of every system and every agency, for the filters and the form."""
    systems = list(session.scalars(select(System.id).order_by(System.id)))
    agencies = list(session.scalars(select(Agency.id).order_by(Agency.id)))
    return systems, agencies
