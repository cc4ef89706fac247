"""Audit-log rows for the console (who signed in, who changed which alert or account)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import orjson

from soc.state.models import AuditEntry
from soc_dashboard.i18n import format_time
from soc_dashboard.views.common import text_of


def audit_rows(entries: list[AuditEntry], lang: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "time": format_time(e.at, tz, lang),
            "actor": e.actor,
            "action": e.action,
            "target": e.target or "",
            "details": text_of(orjson.dumps(e.details or {}, default=str).decode(), 300),
        }
        for e in entries
    ]
