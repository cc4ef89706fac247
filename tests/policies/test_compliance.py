"""The worked Đà Nẵng inventory gives the levels and findings an administrator would expect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from policies.catalog_loader import Catalog
from policies.compliance import evaluate, run_compliance
from policies.engines.regopy import RegopyEngine
from policies.facts import FactsContext
from policies.render import SystemCompliance
from soc.state.db import StateDB
from soc.state.models import Alert, ComplianceResult
from soc.stores.sqlite import SqliteEventStore
from tests.policies.conftest import AT, demo_state, feed_demo

DAY = timedelta(days=1)


def _evaluate(
    engine: RegopyEngine,
    catalog: Catalog,
    state: StateDB,
    store: SqliteEventStore,
    profile: str = "auto",
    at: datetime = AT,
) -> dict[str, SystemCompliance]:
    with state.session() as s:
        found = evaluate(engine, catalog, s, store, FactsContext(at=at, profile=profile))
    return {c.system_id: c for c in found}


def _status(found: dict[str, SystemCompliance], system: str, requirement: str) -> str:
    return next(r.status for r in found[system].results if r.requirement_id == requirement)


@pytest.fixture(scope="module")
def demo(
    engine: RegopyEngine, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, SystemCompliance]:
    directory = tmp_path_factory.mktemp("demo")
    store = SqliteEventStore(directory / "events.db")
    feed_demo(store, skip=("dng-camera",))
    try:
        return _evaluate(engine, catalog, demo_state(directory), store)
    finally:
        store.close()


LEVELS = [  # system, approved, criteria level, deciding criteria
    ("dng-datacenter", 3, 3, ["CLS-3.3"]),
    ("dng-man", 3, 3, ["CLS-3.3"]),
    ("dng-portal", 3, 3, ["CLS-3.2d", "CLS-3.2e"]),
    ("dng-motcua", 2, 3, ["CLS-3.2d", "CLS-3.2e"]),
    ("dng-qlvb", 2, 2, ["CLS-2.1"]),
    ("dng-email", 2, 2, ["CLS-2.1"]),
    ("dng-lgsp", 3, 3, ["CLS-3.3"]),
    ("dng-sso", 0, 3, ["CLS-3.3"]),
    ("dng-ioc-platform", 3, 3, ["CLS-3.3"]),
    ("dng-camera", 3, 3, ["CLS-3.3"]),
    ("dng-party-wan", 4, 4, ["CLS-4.1"]),
    ("dng-scada-water", 0, 3, ["CLS-3.4"]),
]


@pytest.mark.parametrize(("system", "approved", "level", "deciding"), LEVELS)
def test_levels_of_the_demo_systems(
    demo: dict[str, SystemCompliance], system: str, approved: int, level: int, deciding: list[str]
) -> None:
    cls = demo[system].classification
    assert (cls["approved"], cls["level"], cls["deciding"]) == (approved, level, deciding)
    assert cls["approved_lower"] is (0 < approved < level)


FINDINGS = [  # what the evidence file's header promises, and what must not be flagged
    ("dng-motcua", "CLS-01", "fail"),
    ("dng-motcua", "GOV-06", "fail"),
    ("dng-portal", "GOV-06", "pass"),
    ("dng-sso", "GOV-01", "fail"),
    ("dng-sso", "CLS-01", "fail"),
    ("dng-scada-water", "GOV-01", "fail"),
    ("dng-scada-water", "L4M-1", "fail"),
    ("dng-datacenter", "L4M-3", "fail"),
    ("dng-man", "L4M-3", "pass"),
    ("dng-lgsp", "L4M-3", "fail"),
    ("dng-camera", "L4M-2", "fail"),
    ("dng-camera", "LOG-02", "fail"),
    ("dng-camera", "L4M-3", "fail"),
    ("dng-portal", "L4M-2", "pass"),
    ("dng-portal", "LOG-02", "pass"),
    ("dng-portal", "MON-03b", "pass"),
    ("dng-portal", "L4M-4b", "pass"),
    ("dng-party-wan", "L4M-2", "unknown"),
    ("dng-party-wan", "LOG-02", "unknown"),
    ("dng-party-wan", "IR-01", "fail"),
    ("dng-man", "NET-01c", "fail"),
    ("dng-datacenter", "NET-01c", "pass"),
    ("dng-portal", "GOV-15", "fail"),
    ("dng-datacenter", "GOV-07", "not_applicable"),
    ("dng-email", "L4M-2", "not_applicable"),
    ("dng-qlvb", "NET-04c", "pass"),
    ("dng-email", "NET-04c", "unknown"),
    ("dng-portal", "GOV-17", "unknown"),
]


@pytest.mark.parametrize(("system", "requirement", "expected"), FINDINGS)
def test_findings_an_administrator_expects(
    demo: dict[str, SystemCompliance], system: str, requirement: str, expected: str
) -> None:
    assert _status(demo, system, requirement) == expected


def test_the_portal_is_clean_apart_from_the_city_budget(demo: dict[str, SystemCompliance]) -> None:
    failing = [r.requirement_id for r in demo["dng-portal"].results if r.status == "fail"]
    assert failing == ["GOV-15"]
    assert all(layer["status"] == "pass" for layer in demo["dng-portal"].layers.values())


def test_every_result_has_both_languages_and_a_source(demo: dict[str, SystemCompliance]) -> None:
    for system in demo.values():
        for r in system.results:
            assert r.message_vi and r.message_en and r.evidence["source"]
            assert "?" not in r.message_vi.split(":", 1)[1], r.message_vi
            assert '"' not in r.message_vi and "{" not in r.message_en


def test_the_layer_4_target_follows_the_profile(
    engine: RegopyEngine, catalog: Catalog, state: StateDB, store: SqliteEventStore
) -> None:
    feed_demo(store, at=datetime(2026, 9, 1, tzinfo=UTC))
    # 1 September 2026: current profile, only the old NCSC connection (the new one is 15 September).
    current = _evaluate(engine, catalog, state, store, at=datetime(2026, 9, 1, tzinfo=UTC))
    layer4 = current["dng-portal"].layers["4"]
    assert layer4["reason"] == "layer4_wrong_target"
    legacy = _evaluate(engine, catalog, state, store, "legacy", at=datetime(2026, 9, 1, tzinfo=UTC))
    assert legacy["dng-portal"].layers["4"]["status"] == "pass"
    assert _status(legacy, "dng-portal", "L4M-4a") == "pass"
    assert all(r.requirement_id != "L4M-4b" for r in legacy["dng-portal"].results)


def test_auto_profile_switches_on_law_116_effective_date(
    engine: RegopyEngine, catalog: Catalog, state: StateDB, store: SqliteEventStore
) -> None:
    before = _evaluate(engine, catalog, state, store, at=datetime(2026, 6, 30, 12, tzinfo=UTC))
    after = _evaluate(engine, catalog, state, store, at=datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert {c.profile for c in before.values()} == {"legacy"}
    assert {c.profile for c in after.values()} == {"current"}


def test_runs_are_stored_compared_and_newly_failing_requirements_alert(
    engine: RegopyEngine, catalog: Catalog, state: StateDB, store: SqliteEventStore
) -> None:
    feed_demo(store, skip=("dng-camera",))
    first = run_compliance(engine, catalog, state, store, FactsContext(at=AT, profile="auto"))
    assert first.previous_run is None and first.alerts == 0
    later = AT + timedelta(hours=30)  # nothing new has arrived: every live source is now stale
    at_later = FactsContext(at=later, profile="auto")
    # A trial run, or an evaluation of a past date, alerts nobody (and stores nothing).
    trial = run_compliance(engine, catalog, state, store, at_later, save=False, now=lambda: later)
    past = run_compliance(engine, catalog, state, store, at_later, now=lambda: later + DAY)
    assert trial.changes and (trial.alerts, past.alerts) == (0, 0)
    with state.session() as s:
        assert s.query(Alert).count() == 0
        s.query(ComplianceResult).filter(ComplianceResult.run_id == past.run_id).delete()
    second = run_compliance(engine, catalog, state, store, at_later, now=lambda: later)
    assert second.previous_run == first.run_id
    changed = {(c.system_id, c.requirement_id) for c in second.changes if c.after == "fail"}
    assert ("dng-portal", "LOG-02") in changed and ("dng-portal", "L4M-2") in changed
    assert ("dng-camera", "LOG-02") not in changed  # it was failing already
    with state.session() as s:
        alerts = list(s.query(Alert).filter(Alert.engine == "compliance"))
        assert len(alerts) == second.alerts == len(changed)
        portal = next(a for a in alerts if a.system_id == "dng-portal" and a.rule_id == "LOG-02")
        assert portal.agency_id == "dng-ubnd" and portal.rule_level == "high"
        stored = s.query(ComplianceResult).filter(ComplianceResult.run_id == second.run_id).count()
    assert stored == sum(len(c.results) + 1 for c in second.systems)
    third = run_compliance(engine, catalog, state, store, at_later, now=lambda: later)
    assert third.changes == [] and third.alerts == 0


def test_the_scheduler_job_evaluates_now_and_alerts_on_the_second_run(
    state: StateDB, store: SqliteEventStore, tmp_path: Path
) -> None:
    from policies.compliance import compliance_job
    from soc.config import load_settings

    settings = load_settings(home=tmp_path, environ={})
    job = compliance_job(settings, state, store)
    first, second = job(), job()
    assert len(first.systems) == 12 and second.previous_run == first.run_id
    assert second.changes == []  # nothing changed in between: no alert


def test_alert_handling_is_shown_with_layer_2_and_changes_no_status(
    engine: RegopyEngine,
    catalog: Catalog,
    state: StateDB,
    store: SqliteEventStore,
    demo: dict[str, SystemCompliance],
) -> None:
    feed_demo(store, skip=("dng-camera",))
    hour = timedelta(hours=1)
    with state.session() as s:
        for first, acked, status in ((5, 4, "closed"), (48, 46, "acknowledged"), (10, None, "new")):
            s.add(
                Alert(
                    group_key=f"g{first}",
                    engine="sigma",
                    rule_id="r",
                    rule_title="T",
                    severity=75,
                    status=status,
                    first_seen=AT - first * hour,
                    last_seen=AT - first * hour,
                    acknowledged_at=AT - acked * hour if acked else None,
                    closed_at=AT - hour if status == "closed" else None,
                    system_id="dng-portal",
                )
            )
    found = _evaluate(engine, catalog, state, store)
    for system, compliance in demo.items():
        statuses = [(r.requirement_id, r.status) for r in found[system].results]
        assert statuses == [(r.requirement_id, r.status) for r in compliance.results]
        assert {n: lay["status"] for n, lay in found[system].layers.items()} == {
            n: lay["status"] for n, lay in compliance.layers.items()
        }
    layer2 = found["dng-portal"].layers["2"]
    assert layer2["params"]["alerts"] == [3, 2, 1.5, 48]
    assert layer2["message_en"].endswith(
        "; high alerts in 30 days: 3, acknowledged 2, median 1.5 h, oldest open for 48 h"
    )
    assert layer2["message_vi"].endswith(
        "; cảnh báo mức cao 30 ngày qua: 3, đã tiếp nhận 2, trung vị 1.5 giờ,"
        " cảnh báo mở lâu nhất 48 giờ"
    )
    l4m2 = next(r for r in found["dng-portal"].results if r.requirement_id == "L4M-2")
    assert "acknowledged 2" in l4m2.message_en
    assert "alerts" not in found["dng-man"].layers["2"]["params"]
    assert "high alerts" not in found["dng-man"].layers["2"]["message_en"]


def test_evidence_names_record_details_only_for_results_that_name_a_record(
    demo: dict[str, SystemCompliance],
) -> None:
    from policies.render import with_records

    records = {"ev-1": {"title": "Quyết định", "issued": "2026-01-02", "expires": "—"}}
    assert with_records({"record": "ev-1"}, records)["title"] == "Quyết định"
    assert with_records({"window_hours": 24}, records) == {"window_hours": 24}
    for system in demo.values():
        for n, layer in system.layers.items():
            assert "?" not in (layer.get("params") or {}).values(), (system.system_id, n)
