"""The facts builder: what each system's policy input holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from policies.facts import FactsContext, build_facts, internal_addresses, rfc3339
from soc.state.db import StateDB
from soc.state.models import Alert, Exchange, Incident
from soc.stores.sqlite import SqliteEventStore
from tests.policies.conftest import AT, event


def _one(
    state: StateDB, store: SqliteEventStore | None, system: str, at: datetime = AT
) -> dict[str, Any]:
    with state.session() as s:
        return build_facts(s, store, FactsContext(at, "current", 24), [system])[0].input


def test_times_are_rfc3339_with_a_numeric_offset() -> None:
    assert rfc3339(datetime(2026, 11, 20, 3, tzinfo=UTC)) == "2026-11-20T03:00:00+00:00"
    assert not rfc3339(datetime(2026, 1, 1)).endswith("Z")


def test_evidence_of_the_system_and_of_its_owner_chain_newest_first(state: StateDB) -> None:
    doc = _one(state, None, "dng-portal")
    assert doc["system"]["approved_level"] == 3 and doc["system"]["hosted_shared"] is True
    assert doc["evidence"]["level_dossier"][0]["id"] == "dossier-portal"
    regulations = [r["id"] for r in doc["evidence"]["security_regulation"]]
    assert regulations == ["ubnd-quyche", "ubnd-quyche-2022"]
    assert doc["evidence"]["security_regulation"][1]["expires"].startswith("2023-03-01")
    assert "ca-quyche" not in regulations  # another agency's document


def test_controls_are_inherited_from_the_hosting_data_centre(state: StateDB) -> None:
    doc = _one(state, None, "dng-portal")
    assert doc["controls"]["waf"]["id"] == "plan-portal"
    assert doc["controls"]["ips"] == {
        "id": "plan-datacenter",
        "issued": "2025-03-01T00:00:00+07:00",
        "state": "in_place",
    }
    assert len(doc["network"]["zones"]) == 7
    camera = _one(state, None, "dng-camera")
    assert camera["controls"] == {} and "network" not in camera


def test_evidence_issued_after_the_evaluation_date_is_not_seen(state: StateDB) -> None:
    doc = _one(state, None, "dng-portal", datetime(2026, 8, 31, 12, tzinfo=UTC))
    targets = [r["details"]["target"] for r in doc["evidence"]["national_connection"]]
    assert targets == ["ncsc"]
    assert "scan-portal-2026" not in str(doc["evidence"].get("vulnerability_scan"))


def test_titles_and_dates_for_messages_stay_in_python(state: StateDB) -> None:
    with state.session() as s:
        (facts,) = build_facts(s, None, FactsContext(AT, "current", 24), ["dng-portal"])
    assert "title" not in facts.input["evidence"]["level_dossier"][0]
    assert facts.records["dossier-portal"]["issued"] == "2023-05-12"
    assert facts.records["plan-datacenter"]["title"].startswith("Báo cáo triển khai")


def test_live_telemetry_from_the_event_store(state: StateDB, store: SqliteEventStore) -> None:
    store.write(
        [
            event("dng-portal", "nginx.access", AT - timedelta(days=90)),
            event("dng-portal", "nginx.access", AT - timedelta(hours=3)),
            event("dng-portal", "nginx.access", AT + timedelta(hours=3)),  # after the date
            event(None, "suricata.eve", AT - timedelta(hours=1), observer={"name": "ids-dc-01"}),
        ]
    )
    tel = _one(state, store, "dng-portal")["telemetry"]
    assert tel["sources"]["nginx.access"] == rfc3339(AT - timedelta(hours=3))
    assert tel["sources"]["cisco.asa"] is None
    assert tel["oldest_event"] == rfc3339(AT - timedelta(days=90))
    assert tel["links"] == [
        {"id": "dc-inet-1", "sensor": "ids-dc-01", "last": rfc3339(AT - timedelta(hours=1))}
    ]


def test_exchanges_and_incident_reports_from_the_state_db(state: StateDB) -> None:
    with state.session() as s:
        details = {"effects": ["service_interruption"], "personal_data_breach": True}
        inc = Incident(
            title="Defacement",
            system_id="dng-portal",
            opened_at=AT - timedelta(days=3),
            details=details,
        )
        s.add(inc)
        s.flush()
        report = {"incident_id": inc.id, "deadline": "report_72h"}
        s.add(
            Exchange(
                at=AT - timedelta(days=2),
                direction="outbound",
                kind="incident_report",
                status="ok",
                details=report,
            )
        )
    doc = _one(state, None, "dng-portal")
    assert doc["exchanges"]["last_ok"] == rfc3339(AT - timedelta(days=2))
    (incident,) = doc["incidents"]
    assert incident["effects"] == ["service_interruption"] and incident["personal_data_breach"]
    assert incident["reports"] == {"report_72h": rfc3339(AT - timedelta(days=2))}


def _alert(system: str, severity: int, first: timedelta, **times: timedelta | str) -> Alert:
    """An alert first seen ``first`` before AT; other times relative to AT, status as given."""
    return Alert(
        group_key="g",
        engine=str(times.pop("engine", "sigma")),
        rule_id="r",
        rule_title="T",
        severity=severity,
        status=str(times.pop("status", "new")),
        first_seen=AT - first,
        last_seen=AT - first,
        system_id=system,
        **{k: AT + v for k, v in times.items() if isinstance(v, timedelta)},
    )


def test_alert_handling_of_high_alerts_over_30_days(state: StateDB) -> None:
    h = timedelta(hours=1)
    with state.session() as s:
        s.add_all(
            [
                # acknowledged after 1 h, closed: handled
                _alert("dng-portal", 75, 10 * h, acknowledged_at=-9 * h, closed_at=-5 * h,
                       status="closed"),
                # acknowledged after 3 h, still open 48 h later
                _alert("dng-portal", 90, 48 * h, acknowledged_at=-45 * h, status="acknowledged"),
                # before the window, never handled: only the oldest open one
                _alert("dng-portal", 80, 40 * 24 * h),
                # acknowledged and closed after the evaluation moment: open then, not acknowledged
                _alert("dng-portal", 75, 3 * h, acknowledged_at=h, closed_at=2 * h,
                       status="closed"),
                # closed before its times were recorded: counted, neither acknowledged nor open
                _alert("dng-portal", 75, 20 * 24 * h, status="closed"),
                _alert("dng-portal", 50, 100 * h),  # medium
                _alert("dng-portal", 75, -h),  # after the evaluation moment
                _alert("dng-portal", 90, 200 * 24 * h, engine="compliance"),  # a policy finding
                _alert("dng-man", 70, h),
            ]
        )  # fmt: skip
    portal = _one(state, None, "dng-portal")["telemetry"]["alert_handling"]
    assert portal == {
        "window_days": 30,
        "high": 4,
        "acknowledged": 2,
        "median_ack_hours": 2.0,
        "oldest_open_hours": 960,
    }
    man = _one(state, None, "dng-man")["telemetry"]["alert_handling"]
    assert man == {
        "window_days": 30,
        "high": 1,
        "acknowledged": 0,
        "median_ack_hours": None,
        "oldest_open_hours": 1,
    }
    assert "alert_handling" not in _one(state, None, "dng-email")["telemetry"]


@pytest.mark.parametrize(
    ("value", "internal"),
    [("10.10.20.11", True), ("2001:df2:9b00::5", True), ("172.16.4.4", True),
     ("203.0.113.45", False), ("2001:db8::1", False)],
)  # fmt: skip
def test_internal_addresses_by_cidr_membership(value: str, internal: bool) -> None:
    found = internal_addresses([("ip", value), ("note", "not an address")], ["2001:df2:9b00::/48"])
    assert found == [{"field": "ip", "value": value, "internal": internal}]
