"""The facts builder: what each system's policy input holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policies.facts import FactsContext, build_facts, internal_addresses, rfc3339
from soc.state.db import StateDB
from soc.state.models import Exchange, Incident
from soc.stores.sqlite import SqliteEventStore
from tests.policies.conftest import AT, event


def _one(state: StateDB, store: SqliteEventStore | None, system: str, at: datetime = AT) -> dict:
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


@pytest.mark.parametrize(
    ("value", "internal"),
    [("10.10.20.11", True), ("2001:df2:9b00::5", True), ("172.16.4.4", True),
     ("203.0.113.45", False), ("2001:db8::1", False)],
)  # fmt: skip
def test_internal_addresses_by_cidr_membership(value: str, internal: bool) -> None:
    found = internal_addresses([("ip", value), ("note", "not an address")], ["2001:df2:9b00::/48"])
    assert found == [{"field": "ip", "value": value, "internal": internal}]
