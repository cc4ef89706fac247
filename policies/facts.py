"""Policy input for each system: the inventory and declared evidence from the state database plus
what the SOC observes — last event per required log source, oldest event held, IDS sensors on the
Internet links, how its high alerts were handled, last exchange with the national centre,
incidents and the reports sent for them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from ipaddress import ip_address, ip_network
from statistics import median
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from soc.ecs import parse_timestamp
from soc.errors import PolicyError
from soc.inventory import LOCAL_TZ, SystemRecord, system_record
from soc.state.models import (
    OPEN_ALERT_STATUSES,
    Agency,
    Alert,
    Evidence,
    Exchange,
    Incident,
    System,
)
from soc.stores.base import EventQuery, EventStore

IDS_DATASET = "suricata.eve"
INCIDENT_LOOKBACK = timedelta(days=365)
# Alert handling is counted over 30 days: the live window (a day) holds too few high alerts.
HANDLING_WINDOW = timedelta(days=30)
HIGH_SEVERITY = 70  # a high rule's severity; critical and raised ones are above
SHARED_HOSTING = frozenset({"cloud", "datacenter", "city-datacenter"})
# Never-routed space counts as internal even outside the inventory (documentation ranges do not).
PRIVATE_NETWORKS = tuple(
    ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
              "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128")
)  # fmt: skip
NOT_INCIDENTS = frozenset({"false_positive", "dismissed", "duplicate"})
UNDATED = "1970-01-01T00:00:00+07:00"


def rfc3339(moment: datetime) -> str:
    """UTC with a numeric offset: regopy's time.parse_rfc3339_ns refuses a trailing Z."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def day_start(day: date) -> str:
    """A calendar date as the start of that day in Vietnam (documents are dated locally)."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).isoformat()


def _event_time(event: Mapping[str, Any]) -> str | None:
    stamp = event.get("@timestamp")
    return rfc3339(parse_timestamp(stamp)) if isinstance(stamp, str) else None


@dataclass(frozen=True)
class SystemFacts:
    """The policy input of one system and, for messages, each document's title and dates."""

    input: dict[str, Any]
    records: dict[str, dict[str, str]]

    @property
    def system_id(self) -> str:
        return str(self.input["system"]["id"])


# Evaluations are of days in this range: look-backs of a year and more stay valid dates, and
# anything outside is a typing mistake rather than a moment the platform can say anything about.
EARLIEST_EVALUATION = date(2000, 1, 1)
LATEST_EVALUATION = date(2100, 12, 31)


@dataclass(frozen=True)
class FactsContext:
    at: datetime
    profile: str
    window_hours: int = 24
    store_retention_days: int | None = None

    def __post_init__(self) -> None:
        if not EARLIEST_EVALUATION <= self.at.date() <= LATEST_EVALUATION:
            raise PolicyError(
                f"cannot evaluate as of {self.at.date().isoformat()}: evaluations are of days"
                f" from {EARLIEST_EVALUATION.isoformat()} to {LATEST_EVALUATION.isoformat()}"
            )


@dataclass
class _Declared:
    """Evidence rows and exchanges, grouped once for every system."""

    by_system: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    by_agency: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    exchanges: dict[str | None, datetime] = field(default_factory=dict)
    reports: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))


def record_id(row: Evidence) -> str:
    return str((row.details or {}).get("key", row.id))


def _record(row: Evidence) -> dict[str, Any]:
    """What the policies read of a document; lean, because the embedded engine pays per node.
    Titles and calendar dates for messages stay in Python (``SystemFacts.records``)."""
    rec: dict[str, Any] = {
        "id": record_id(row),
        "issued": day_start(row.issued_on) if row.issued_on else UNDATED,
    }
    details = {k: v for k, v in (row.details or {}).items() if k != "key"}
    if details:
        rec["details"] = details
    if row.expires_on:
        rec["expires"] = day_start(row.expires_on + timedelta(days=1))
    for key in ("assessor", "provider"):
        value = getattr(row, key)
        if value:
            rec[key] = value
    return rec


def _display(row: Evidence) -> dict[str, str]:
    return {
        "title": row.title or row.kind,
        "issued": row.issued_on.isoformat() if row.issued_on else "?",
        "expires": row.expires_on.isoformat() if row.expires_on else "—",
    }


def _load_declared(session: Session, at: datetime) -> _Declared:
    declared = _Declared()
    day = at.astimezone(LOCAL_TZ).date()
    for row in session.scalars(select(Evidence)):
        if row.issued_on and row.issued_on > day:
            continue  # not yet issued on the evaluation date
        if row.system_id:
            declared.by_system[row.system_id].append(row)
        elif row.agency_id:
            declared.by_agency[row.agency_id].append(row)
    for x in session.scalars(select(Exchange).where(Exchange.status == "ok")):
        moment = x.at if x.at.tzinfo else x.at.replace(tzinfo=UTC)
        if moment > at:
            continue
        if x.kind == "incident_report" and (x.details or {}).get("incident_id") is not None:
            deadline = str((x.details or {}).get("deadline", "report_72h"))
            reports = declared.reports[str(x.details["incident_id"])]
            reports.setdefault(deadline, rfc3339(moment))
        if x.direction in ("outbound", "inbound"):
            key = x.system_id
            if key not in declared.exchanges or declared.exchanges[key] < moment:
                declared.exchanges[key] = moment
    return declared


def _ancestors(agency_id: str | None, parents: Mapping[str, str | None]) -> list[str]:
    chain: list[str] = []
    while agency_id and agency_id not in chain:
        chain.append(agency_id)
        agency_id = parents.get(agency_id)
    return chain


def _grouped(rows: Iterable[Evidence]) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(_record(row))
    for records in by_kind.values():
        records.sort(key=lambda r: r["issued"], reverse=True)
    return dict(by_kind)


def _controls(evidence: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Newest record per control name, from control records and plan-deployment reports."""
    found: dict[str, dict[str, Any]] = {}
    candidates = [*evidence.get("control", []), *evidence.get("plan_deployment", [])]
    for rec in sorted(candidates, key=lambda r: r["issued"], reverse=True):
        details = rec.get("details", {})
        names = details.get("controls") or [details.get("control")]
        for name in names:
            if isinstance(name, str) and name not in found:
                found[name] = {
                    "id": rec["id"],
                    "issued": rec["issued"],
                    "state": str(details.get("state", "in_place")),
                    **({"expires": rec["expires"]} if "expires" in rec else {}),
                }
    return found


def _zones(evidence: Mapping[str, list[dict[str, Any]]]) -> list[str] | None:
    for rec in evidence.get("plan_deployment", []):
        zones = rec.get("details", {}).get("zones")
        if isinstance(zones, list):
            return [str(z) for z in zones]
    return None


def _system_doc(record: SystemRecord, hosted_shared: bool) -> dict[str, Any]:
    doc: dict[str, Any] = record.classification.model_dump(mode="json", exclude_none=True)
    doc.update(
        id=record.id,
        zone=record.zone,
        log_sources=list(record.log_sources),
        instrumentable=record.instrumentable,
        hosted_shared=hosted_shared,
        internet_facing=bool(record.internet_links or record.urls),
    )
    if record.approved_level is not None:
        doc["approved_level"] = record.approved_level
    if record.go_live is not None:
        doc["go_live"], doc["go_live_on"] = day_start(record.go_live), record.go_live.isoformat()
    return doc


class _Telemetry:
    """Reads the event store once per fact, caching sensor lookups shared by several systems."""

    def __init__(self, store: EventStore | None, at: datetime) -> None:
        self.store, self.at = store, at
        self._sensors: dict[str, str | None] = {}

    def _first(self, query: EventQuery) -> str | None:
        if self.store is None:
            return None
        events = self.store.search(query)
        return _event_time(events[0]) if events else None

    def last_event(self, system_id: str, dataset: str) -> str | None:
        terms = {"soc.system_id": system_id, "event.dataset": dataset}
        return self._first(EventQuery(terms=terms, until=self.at, limit=1))

    def oldest_event(self, system_id: str) -> str | None:
        terms = {"soc.system_id": system_id}
        return self._first(EventQuery(terms=terms, until=self.at, limit=1, ascending=True))

    def sensor(self, name: str) -> str | None:
        if name not in self._sensors:
            query = EventQuery(
                dataset=IDS_DATASET, terms={"observer.name": name}, until=self.at, limit=1
            )
            self._sensors[name] = self._first(query)
        return self._sensors[name]


def _telemetry(record: SystemRecord, live: _Telemetry, ctx: FactsContext) -> dict[str, Any]:
    links = []
    for link in record.internet_links:
        entry: dict[str, Any] = {"id": link.id}
        if link.ids_sensor:
            entry["sensor"] = link.ids_sensor
            last = live.sensor(link.ids_sensor)
            if last:
                entry["last"] = last
        links.append(entry)
    doc: dict[str, Any] = {
        "window_hours": ctx.window_hours,
        "sources": {ds: live.last_event(record.id, ds) for ds in record.log_sources},
        "links": links,
        "store_retention_days": ctx.store_retention_days,
    }
    oldest = live.oldest_event(record.id) if record.log_sources else None
    if oldest:
        doc["oldest_event"] = oldest
    return doc


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open_at(closed: datetime | None, status: str, at: datetime) -> bool:
    """Still open at ``at``: not closed yet, or closed after it. A closed alert without a closing
    time was closed before the times were recorded."""
    if closed is None:
        return status in OPEN_ALERT_STATUSES
    return _aware(closed) > at


def _alert_handling(session: Session, at: datetime) -> dict[str, dict[str, Any]]:
    """Per system, its alerts of severity ≥ 70 first seen in the 30 days (``HANDLING_WINDOW``)
    before ``at``: how many, how many were acknowledged by ``at``, the median hours from first
    seen to acknowledged; and the age in hours at ``at`` of the oldest high alert still open then
    (from any date). Compliance alerts are left out: they are the policies' own findings, not
    detections the SOC handles. Systems with neither figure are left out."""
    at = at.astimezone(UTC)
    since = at - HANDLING_WINDOW
    query = select(
        Alert.system_id, Alert.first_seen, Alert.acknowledged_at, Alert.closed_at, Alert.status
    ).where(
        Alert.system_id.is_not(None),
        Alert.engine != "compliance",
        Alert.severity >= HIGH_SEVERITY,
        Alert.first_seen <= at,
        or_(Alert.first_seen > since, Alert.closed_at.is_(None), Alert.closed_at > at),
    )
    seen: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    oldest: dict[str, datetime] = {}
    for row_system, first, acked, closed, status in session.execute(query):
        system_id, first = str(row_system), _aware(first)  # the query keeps only systems' alerts
        if first > since:
            seen[system_id] += 1
            if acked is not None and _aware(acked) <= at:
                waits[system_id].append(max(0.0, (_aware(acked) - first).total_seconds()))
        if _open_at(closed, status, at) and first <= oldest.get(system_id, at):
            oldest[system_id] = first
    return {
        sid: _handling(seen.get(sid, 0), waits.get(sid, []), oldest.get(sid), at)
        for sid in seen.keys() | oldest.keys()
    }


def _handling(
    high: int, waits: list[float], oldest_open: datetime | None, at: datetime
) -> dict[str, Any]:
    """The figures of one system (waits in seconds; hours to a tenth, the open age floored)."""
    return {
        "window_days": HANDLING_WINDOW.days,
        "high": high,
        "acknowledged": len(waits),
        "median_ack_hours": round(median(waits) / 3600, 1) if waits else None,
        "oldest_open_hours": (
            int((at - oldest_open).total_seconds() // 3600) if oldest_open else None
        ),
    }


def _incidents(session: Session, ctx: FactsContext, declared: _Declared) -> dict[str, list[Any]]:
    since = ctx.at - INCIDENT_LOOKBACK
    found: dict[str, list[Any]] = defaultdict(list)
    query = select(Incident).where(Incident.system_id.is_not(None))
    for inc in session.scalars(query):
        opened = inc.opened_at if inc.opened_at.tzinfo else inc.opened_at.replace(tzinfo=UTC)
        if not since <= opened <= ctx.at or inc.system_id is None:
            continue
        details = inc.details or {}
        found[inc.system_id].append(
            {
                "id": str(inc.id),
                "detected": rfc3339(opened),
                "confirmed": inc.status not in NOT_INCIDENTS,
                "effects": list(details.get("effects", [])),
                "owner_unable": bool(details.get("owner_unable", False)),
                "national_list": bool(details.get("national_list", False)),
                "national_security": bool(details.get("national_security", False)),
                "serious_disruption": bool(details.get("serious_disruption", False)),
                "personal_data_breach": bool(details.get("personal_data_breach", False)),
                "reports": declared.reports.get(str(inc.id), {}),
            }
        )
    return found


def build_facts(
    session: Session,
    store: EventStore | None,
    ctx: FactsContext,
    system_ids: Iterable[str] | None = None,
) -> list[SystemFacts]:
    """One policy input per system (all systems, or those named), in id order."""
    wanted = set(system_ids) if system_ids is not None else None
    rows = [
        s
        for s in session.scalars(select(System).order_by(System.id))
        if wanted is None or s.id in wanted
    ]
    parents = {a.id: a.parent_id for a in session.scalars(select(Agency))}
    systems = {s.id: system_record(s) for s in session.scalars(select(System))}
    declared = _load_declared(session, ctx.at)
    incidents = _incidents(session, ctx, declared)
    live = _Telemetry(store, ctx.at)
    handling = _alert_handling(session, ctx.at)
    found = []
    for row in rows:
        facts = _facts_for(systems[row.id], systems, parents, declared, incidents, live, ctx)
        if row.id in handling:
            facts.input["telemetry"]["alert_handling"] = handling[row.id]
        found.append(facts)
    return found


def _facts_for(
    record: SystemRecord,
    systems: Mapping[str, SystemRecord],
    parents: Mapping[str, str | None],
    declared: _Declared,
    incidents: Mapping[str, list[Any]],
    live: _Telemetry,
    ctx: FactsContext,
) -> SystemFacts:
    agencies = dict.fromkeys(
        _ancestors(record.owner, parents) + _ancestors(record.operator, parents)
    )
    rows = list(declared.by_system.get(record.id, []))
    for agency in agencies:
        rows.extend(declared.by_agency.get(agency, []))
    evidence = _grouped(rows)
    controls = _controls(evidence)
    zones = _zones(evidence)
    host = systems.get(record.hosting or "")
    if host is not None and host.id != record.id:
        # The hosting data centre's shared solutions count for what it hosts (TT12 Art. 9.4).
        host_rows = declared.by_system.get(host.id, [])
        rows = rows + host_rows
        host_evidence = _grouped(host_rows)
        for name, rec in _controls(host_evidence).items():
            controls.setdefault(name, rec)
        zones = zones if zones is not None else _zones(host_evidence)
    hosted_shared = host is not None or (record.hosting or "") in SHARED_HOSTING
    last_exchange = max(
        (m for k, m in declared.exchanges.items() if k in (None, record.id)), default=None
    )
    doc: dict[str, Any] = {
        "date": rfc3339(ctx.at),
        "profile": ctx.profile,
        "system": _system_doc(record, hosted_shared),
        "evidence": evidence,
        "controls": controls,
        "telemetry": _telemetry(record, live, ctx),
        "exchanges": {"last_ok": rfc3339(last_exchange)} if last_exchange else {},
        "incidents": incidents.get(record.id, []),
    }
    if zones is not None:
        doc["network"] = {"zones": zones}
    return SystemFacts(doc, {record_id(row): _display(row) for row in rows})


def internal_addresses(
    values: Iterable[tuple[str, str]], ranges: Iterable[str]
) -> list[dict[str, Any]]:
    """Which (field, address) pairs fall inside the inventory's ranges: CIDR membership in Python
    because the policies may use no ``net.*`` builtin (regopy has none)."""
    networks = [ip_network(r, strict=False) for r in ranges] + list(PRIVATE_NETWORKS)
    found = []
    for name, value in values:
        try:
            address = ip_address(value)
        except ValueError:
            continue
        inside = any(address.version == n.version and address in n for n in networks)
        found.append({"field": name, "value": value, "internal": inside})
    return found
