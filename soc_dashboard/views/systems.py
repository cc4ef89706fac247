"""The inventory as the console shows it: information systems and the agencies that own them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from soc.state.models import Agency, System
from soc_dashboard.i18n import label
from soc_dashboard.views.common import text_of

MAX_ROWS = 2000


def system_rows(session: Session, lang: str, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    query = select(System).options(joinedload(System.agency)).order_by(System.id)
    rows = []
    for s in session.scalars(query.limit(max(1, min(limit, MAX_ROWS)))):
        agency = s.agency
        agency_name = (
            (agency.name_en or agency.name)
            if agency and lang == "en"
            else (agency.name if agency else (s.agency_id or ""))
        )
        rows.append(
            {
                "id": s.id,
                "name": s.name,
                "agency": agency_name,
                "zone": label("zone", s.zone, lang),
                "security_level": s.security_level if s.security_level is not None else "",
                "hosting": s.hosting or "",
                "ip_ranges": text_of(s.ip_ranges),
                "hostnames": text_of([*(s.hostnames or []), *(s.urls or [])]),
            }
        )
    return rows


def agency_rows(session: Session, lang: str, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    query = select(Agency).order_by(Agency.id).limit(max(1, min(limit, MAX_ROWS)))
    return [
        {
            "id": a.id,
            "name": (a.name_en or a.name) if lang == "en" else a.name,
            "kind": a.kind,
            "parent": a.parent_id or "",
            "ip_ranges": text_of(a.ip_ranges),
        }
        for a in session.scalars(query)
    ]


def agency_options(session: Session, lang: str) -> list[dict[str, Any]]:
    """Every agency as a choice of the forms: ``id — name``."""
    return [
        {"label": f"{row['id']} — {row['name']}", "value": row["id"]}
        for row in agency_rows(session, lang)
    ]
