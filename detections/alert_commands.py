"""``soc alerts``: list grouped alerts, add and remove audited suppressions."""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from detections.alerts import ENTITY_FIELDS
from detections.suppressions import active_suppressions, add_suppression, aware, remove_suppression
from soc.config import Settings
from soc.ecs import parse_timestamp, utc_now
from soc.errors import SocError
from soc.state.db import StateDB, open_state
from soc.state.models import Alert, Suppression


def _state(settings: Settings) -> StateDB:
    return open_state(settings.state_url)


_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _expiry(text: str | None) -> datetime | None:
    """``7d`` → a week from now; ISO 8601 → that moment; None → never."""
    if not text:
        return None
    match = _SPAN.match(text)
    if match:
        return utc_now() + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        return parse_timestamp(text)
    except ValueError as e:
        raise SocError(f"cannot read the expiry {text!r}", hint="7d, 12h or ISO 8601") from e


def alerts_list(args: argparse.Namespace, settings: Settings) -> int:
    state = _state(settings)
    try:
        with state.session() as s:
            query = select(Alert).order_by(Alert.last_seen.desc()).limit(args.limit)
            if args.status:
                query = query.where(Alert.status == args.status)
            rows = list(s.scalars(query))
            for row in rows:
                print(
                    json.dumps(_alert_json(row), ensure_ascii=False)
                    if args.format == "json"
                    else _row_line(row)
                )
    finally:
        state.close()
    return 0


def _row_line(row: Alert) -> str:
    last = aware(row.last_seen)
    ents = " ".join(f"{k}={v}" for k, v in row.entities.items() if k in ENTITY_FIELDS)
    head = f"{row.id:>6} {last:%Y-%m-%d %H:%M} {row.severity:>3} {row.status:<8}"
    return f"{head} x{row.count:<5} {row.rule_title[:50]:<50} {ents}"


def _alert_json(row: Alert) -> dict[str, object]:
    return {
        "id": row.id,
        "engine": row.engine,
        "rule": {"id": row.rule_id, "title": row.rule_title, "level": row.rule_level},
        "severity": row.severity,
        "status": row.status,
        "count": row.count,
        "first_seen": aware(row.first_seen).isoformat() if row.first_seen else None,  # type: ignore[union-attr]
        "last_seen": aware(row.last_seen).isoformat() if row.last_seen else None,  # type: ignore[union-attr]
        "entities": row.entities,
        "tactics": row.tactics,
        "techniques": row.techniques,
        "event_ids": row.event_ids,
    }


def alerts_suppress(args: argparse.Namespace, settings: Settings) -> int:
    state = _state(settings)
    try:
        with state.session() as s:
            row = add_suppression(
                s,
                rule_id=args.rule,
                field=args.field,
                value=args.value,
                reason=args.reason,
                author=args.author,
                expires_at=_expiry(args.expires),
            )
            print(f"suppression {row.id}: {args.rule} {args.field}={args.value}")
    finally:
        state.close()
    return 0


def alerts_unsuppress(args: argparse.Namespace, settings: Settings) -> int:
    state = _state(settings)
    try:
        with state.session() as s:
            remove_suppression(s, args.id, args.actor)
    finally:
        state.close()
    print(f"suppression {args.id} removed")
    return 0


def alerts_suppressions(args: argparse.Namespace, settings: Settings) -> int:
    state = _state(settings)
    try:
        with state.session() as s:
            active = {a.id for a in active_suppressions(s)}
            for row in s.scalars(select(Suppression).order_by(Suppression.id)):
                if row.id not in active and not args.all:
                    continue
                expires = aware(row.expires_at)
                until = f"until {expires:%Y-%m-%d %H:%M}" if expires else "no expiry"
                state_word = "active" if row.id in active else "expired"
                what = f"{row.id:>4} {state_word:<7} {row.rule_id} {row.field}={row.value}"
                print(f"{what} ({until}; {row.author}: {row.reason})")
    finally:
        state.close()
    return 0


def register_alerts(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = sub.add_parser("alerts", help="grouped alerts and their suppressions")
    asub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    p = asub.add_parser("list", help="newest alerts first")
    p.add_argument("--status")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=alerts_list)
    p = asub.add_parser("suppress", help="allow-list a rule's alerts for an entity value")
    p.add_argument("--rule", required=True, help="rule id, or * for every rule")
    p.add_argument("--field", required=True, choices=sorted(ENTITY_FIELDS))
    p.add_argument("--value", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--author", required=True)
    p.add_argument("--expires", help="7d, 12h or an ISO 8601 time (default: never)")
    p.set_defaults(handler=alerts_suppress)
    p = asub.add_parser("unsuppress", help="remove a suppression (audited)")
    p.add_argument("id", type=int)
    p.add_argument("--actor", required=True)
    p.set_defaults(handler=alerts_unsuppress)
    p = asub.add_parser("suppressions", help="list suppressions")
    p.add_argument("--all", action="store_true", help="include expired ones")
    p.set_defaults(handler=alerts_suppressions)
