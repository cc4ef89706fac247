"""What changed since the previous evaluation: per system, against that system's run before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from soc.state.db import StateDB
from soc.state.models import ComplianceResult
from soc_dashboard.views.compliance import changes_since_previous, latest_run

T0 = datetime(2026, 11, 1, 8, tzinfo=UTC)


def add_run(state: StateDB, run_id: str, hours: int, system: str, **statuses: str) -> None:
    """``log_central="fail"`` stores requirement ``log.central`` (``CLS_LEVEL`` → ``CLS-LEVEL``)."""
    with state.session() as s:
        for requirement, status in statuses.items():
            s.add(
                ComplianceResult(
                    run_id=run_id,
                    evaluated_at=T0 + timedelta(hours=hours),
                    profile="current",
                    system_id=system,
                    requirement_id=requirement_id(requirement),
                    status=status,
                    message_vi=f"{requirement} {status} (vi)",
                    message_en=f"{requirement} {status} (en)",
                )
            )


def requirement_id(name: str) -> str:
    return name.replace("_", "-") if name.isupper() else name.replace("_", ".")


def test_the_first_evaluation_has_nothing_to_compare(state: StateDB) -> None:
    add_run(state, "run-1", 0, "dng-portal", log_central="fail")
    with state.session() as s:
        changes = changes_since_previous(s, "run-1", "vi")
    assert changes.compared == 0 and changes.rows == []


def test_changes_worse_first_with_the_new_messages(state: StateDB) -> None:
    add_run(state, "run-1", 0, "dng-portal", log_central="fail", ir_plan="unknown", gov_x="pass")
    add_run(state, "run-1", 0, "dng-email", log_central="pass")
    add_run(
        state,
        "run-2",
        1,
        "dng-portal",
        log_central="pass",
        ir_plan="fail",
        gov_x="pass",
        scan_new="unknown",
        CLS_LEVEL="fail",  # the level decision row is not a requirement
    )
    with state.session() as s:
        run = latest_run(s)
        assert run is not None and run.run_id == "run-2"
        changes = changes_since_previous(s, run.run_id, "en")
    assert changes.compared == 1 and changes.worse == 1 and changes.better == 1
    assert [(r["requirement"], r["before_key"], r["after_key"]) for r in changes.rows] == [
        ("ir.plan", "unknown", "fail"),
        ("scan.new", "none", "unknown"),
        ("log.central", "fail", "pass"),
    ]
    assert changes.rows[0]["message"] == "ir_plan fail (en)"
    assert changes.rows[1]["before"] == "(not evaluated)" and changes.rows[2]["after"] == "Pass"


def test_a_run_of_one_system_compares_it_with_its_own_previous_run(state: StateDB) -> None:
    add_run(state, "run-1", 0, "dng-portal", log_central="fail")
    add_run(state, "run-1", 0, "dng-email", log_central="pass")
    add_run(state, "run-2", 1, "dng-portal", log_central="pass")
    add_run(state, "run-3", 2, "dng-email", log_central="fail")
    with state.session() as s:
        latest = changes_since_previous(s, "run-3", "vi")
        middle = changes_since_previous(s, "run-2", "vi")
    assert [(r["system"], r["before_key"], r["after_key"]) for r in latest.rows] == [
        ("dng-email", "pass", "fail")
    ]
    assert latest.rows[0]["message"] == "log_central fail (vi)"
    assert [(r["system"], r["after_key"]) for r in middle.rows] == [("dng-portal", "pass")]
