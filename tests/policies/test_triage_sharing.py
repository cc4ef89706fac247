"""The triage and sharing policies through their Python API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from policies.engines.regopy import RegopyEngine
from policies.sharing import mask_address, prepare_outbound
from policies.triage import alert_priority, reporting
from soc.errors import PolicyError

DETECTED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)


def test_priority_with_its_reasons(engine: RegopyEngine) -> None:
    p = alert_priority(engine, rule_level="high", ti_match=True, system_level=3, zone="egov")
    assert p.priority == "P1" and p.score == 95
    assert [f["factor"] for f in p.factors] == [
        "rule_level",
        "system_level",
        "zone",
        "threat_intel",
    ]
    assert alert_priority(engine, rule_level="low").priority == "P4"


@pytest.mark.parametrize(
    ("profile", "incident", "expected"),
    [
        ("legacy", {}, [("notify_5d", 120)]),
        ("current", {}, [("report_72h", 72)]),
        (
            "current",
            {"effects": ["service_interruption"]},
            [("initial_24h", 24), ("report_72h", 72)],
        ),
        ("current", {"personal_data_breach": True}, [("pdp_72h", 72), ("report_72h", 72)]),
        ("current", {"confirmed": False}, []),
    ],
)
def test_reporting_deadlines_as_times(
    engine: RegopyEngine, profile: str, incident: dict[str, Any], expected: list[tuple[str, int]]
) -> None:
    decision = reporting(engine, {"detected": DETECTED, "level": 3, **incident}, profile)
    assert [(d.id, d.hours) for d in decision.deadlines] == expected
    assert decision.must_report is bool(expected)
    for d in decision.deadlines:
        assert d.due == DETECTED + timedelta(hours=d.hours)


def test_an_outbound_incident_report_is_cleaned(engine: RegopyEngine) -> None:
    fields = {
        "incident_type": "web defacement",
        "ip": "10.10.20.11",
        "attacker_ip": "10.40.1.5",
        "contact_email": "soc@danang.gov.vn",
        "victim_email": "nguoidan@example.vn",
        "internal_ticket": "SOC-991",
    }
    out = prepare_outbound(engine, "incident_report", fields, ["10.10.0.0/16"])
    assert out.fields == {
        "incident_type": "web defacement",
        "ip": "10.10.20.11",
        "attacker_ip": "10.40.x.x",
        "contact_email": "soc@danang.gov.vn",
    }
    assert [d["field"] for d in out.dropped] == ["internal_ticket", "victim_email"]
    assert out.masked == ["attacker_ip"]


def test_indicators_may_drop_internal_addresses_by_policy(engine: RegopyEngine) -> None:
    out = prepare_outbound(
        engine,
        "indicators",
        {"value": "2001:df2:9b00::10"},
        ["2001:df2:9b00::/48"],
        internal_policy="drop",
    )
    assert out.fields == {}
    public = prepare_outbound(engine, "indicators", {"value": "203.0.113.45"}, [])
    assert public.fields == {"value": "203.0.113.45"}


def test_unknown_report_kinds_are_refused(engine: RegopyEngine) -> None:
    with pytest.raises(PolicyError, match="no outbound form"):
        prepare_outbound(engine, "gossip", {"a": "b"}, [])


def test_masking_keeps_only_the_network() -> None:
    assert mask_address("10.10.20.11") == "10.10.x.x"
    assert mask_address("2001:df2:9b00:1::5") == "2001:0df2:9b00::x"
