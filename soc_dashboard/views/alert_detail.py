"""One alert in full: entities, ATT&CK, its matched events from the store, its handling history."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dash import html
from dash.development.base_component import Component
from sqlalchemy import select
from sqlalchemy.orm import Session

from soc.ecs import Event, flatten, get_field
from soc.state.models import Alert, AuditEntry
from soc.stores.base import EventQuery, EventStore
from soc_dashboard.i18n import format_time, label, t
from soc_dashboard.views.common import Outcome, event_time, guarded, text_of
from soc_dashboard.views.events import event_json, event_summary

MAX_DETAIL_EVENTS = 20
MAX_HISTORY = 20
ATTACK_URL = "https://attack.mitre.org/techniques/{path}/"


@dataclass(slots=True)
class AlertDetail:
    alert: Alert
    events: list[Event] = field(default_factory=list)
    events_error: str | None = None
    history: list[AuditEntry] = field(default_factory=list)


def load_detail(session: Session, store: EventStore, alert_id: int) -> AlertDetail | None:
    """The alert, up to ``MAX_DETAIL_EVENTS`` of its events (by id) and its audit history."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        return None
    ids = tuple(str(i) for i in (alert.event_ids or [])[:MAX_DETAIL_EVENTS])
    found: Outcome[list[Event]] | None = None
    if ids:
        found = guarded(lambda: store.search(EventQuery(ids=ids, limit=len(ids))), [])
    history = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target == f"alert:{alert_id}")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(MAX_HISTORY)
    )
    return AlertDetail(
        alert,
        found.value if found else [],
        found.error if found else None,
        list(history),
    )


def attack_link(technique: str) -> Component:
    """``T1110.001`` → a link to its ATT&CK page; other tags are shown as text."""
    code = technique.strip().upper().removeprefix("ATTACK.")
    if not (code.startswith("T") and code[1:5].isdigit()):
        return html.Span(technique, className="tag")
    return html.A(
        code,
        href=ATTACK_URL.format(path=code.replace(".", "/")),
        className="tag",
        target="_blank",
        rel="noopener noreferrer",
    )


def _facts(alert: Alert, lang: str, tz: ZoneInfo) -> Component:
    pairs = [
        ("col.rule_id", alert.rule_id),
        ("col.engine", label("engine", alert.engine, lang)),
        ("col.level", label("level", alert.rule_level, lang)),
        ("col.severity", str(alert.severity)),
        ("col.priority", alert.priority or ""),
        ("col.status", label("status", alert.status, lang)),
        ("col.count", str(alert.count)),
        ("col.first_seen", format_time(alert.first_seen, tz, lang)),
        ("col.last_seen", format_time(alert.last_seen, tz, lang)),
        ("col.system", alert.system_id or ""),
        ("col.agency", alert.agency_id or ""),
    ]
    items: list[Component] = []
    for key, value in pairs:
        if value:
            items += [html.Dt(t(key, lang)), html.Dd(value)]
    return html.Dl(items, className="facts")


def _entities(alert: Alert, lang: str) -> Component:
    rows = [
        html.Tr([html.Th(label("entity", k, lang), scope="row"), html.Td(text_of(v))])
        for k, v in flatten(alert.entities or {})
    ]
    body = html.Table(html.Tbody(rows), className="kv") if rows else html.P(t("common.none", lang))
    return html.Section([html.H3(t("alerts.entities", lang)), body])


def _attack(alert: Alert, lang: str) -> Component:
    tactics = [html.Span(str(x), className="tag") for x in alert.tactics or []]
    techniques = [attack_link(str(x)) for x in alert.techniques or []]
    return html.Section(
        [
            html.H3(t("alerts.attack", lang)),
            html.P(
                [html.Strong(t("alerts.tactics", lang) + ": "), *tactics]
                if tactics
                else [html.Strong(t("alerts.tactics", lang) + ": "), "—"]
            ),
            html.P(
                [html.Strong(t("alerts.techniques", lang) + ": "), *techniques]
                if techniques
                else [html.Strong(t("alerts.techniques", lang) + ": "), "—"]
            ),
        ]
    )


def _event_item(event: Event, lang: str, tz: ZoneInfo) -> Component:
    summary = event_summary(event)
    dataset = get_field(event, "event.dataset") or ""
    stamp = format_time(event_time(event), tz, lang)
    return html.Li(
        html.Details(
            [
                html.Summary(f"{stamp} · {dataset} · {summary}"),
                html.Pre(event_json(event), className="json"),
            ]
        )
    )


def _events(detail: AlertDetail, lang: str, tz: ZoneInfo) -> Component:
    total = len(detail.alert.event_ids or [])
    parts: list[Component] = [html.H3(t("alerts.events", lang))]
    if detail.events_error:
        parts.append(
            html.P(
                t("common.unavailable", lang, error=detail.events_error),
                className="notice error",
                role="alert",
            )
        )
    elif total and not detail.events:
        parts.append(html.P(t("alerts.events_missing", lang), className="notice"))
    if total > len(detail.events) and detail.events:
        parts.append(html.P(t("alerts.events_more", lang, shown=len(detail.events), total=total)))
    parts.append(html.Ul([_event_item(e, lang, tz) for e in detail.events], className="events"))
    return html.Section(parts)


def _history(detail: AlertDetail, lang: str, tz: ZoneInfo) -> Component:
    items = [
        html.Li(
            f"{format_time(h.at, tz, lang)} · {h.actor} · "
            f"{label('status', str(h.details.get('status_to', '')), lang) or h.action}"
            + (f" · {h.details['note']}" if h.details.get("note") else "")
        )
        for h in detail.history
    ]
    return html.Section(
        [html.H3(t("alerts.history", lang)), html.Ul(items) if items else html.P("—")]
    )


def render_heading(alert: Alert, lang: str) -> Component:
    """Level, number and title: shown above the actions so the analyst sees what they act on."""
    return html.H2(
        [
            html.Span(
                label("level", alert.rule_level, lang), className=f"badge level-{alert.rule_level}"
            ),
            f" #{alert.id} · {alert.rule_title}",
        ],
        id="alerts-detail-heading",
    )


def render_detail(detail: AlertDetail, lang: str, tz: ZoneInfo) -> Component:
    alert = detail.alert
    return html.Article(
        [
            _facts(alert, lang, tz),
            _entities(alert, lang),
            _attack(alert, lang),
            _events(detail, lang, tz),
            _history(detail, lang, tz),
        ],
        className="detail",
    )
