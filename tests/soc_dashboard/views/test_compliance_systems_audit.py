"""Compliance results, inventory and audit rows as the console shows them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from soc.state.db import StateDB
from soc_dashboard import audit
from soc_dashboard.views.audit_log import audit_rows
from soc_dashboard.views.compliance import latest_run, result_rows, summary_rows
from soc_dashboard.views.systems import agency_rows, system_rows
from tests.soc_dashboard.conftest import seed_compliance, seed_inventory


def test_no_evaluation_yet(state: StateDB) -> None:
    with state.session() as s:
        assert latest_run(s) is None


def test_latest_run_summary_and_results(state: StateDB) -> None:
    seed_inventory(state)
    seed_compliance(state)
    with state.session() as s:
        run = latest_run(s)
        assert run is not None and run.run_id == "run-1" and run.profile == "current"
        summary = summary_rows(s, run.run_id)
        vi = result_rows(s, run.run_id, "vi")
        en_failed = result_rows(s, run.run_id, "en", status="fail")
        other = result_rows(s, run.run_id, "vi", system_id="nope")
    assert summary == [
        {
            "system": "dng-portal",
            "name": "Cổng dịch vụ công",
            "fail": 1,
            "unknown": 1,
            "pass": 1,
            "not_applicable": 0,
        }
    ]
    assert [r["requirement"] for r in vi] == ["gov.dossier", "ir.plan", "log.central"]
    assert vi[2]["status"] == "Không đạt" and vi[2]["message"] == "Yêu cầu log.central: fail"
    assert en_failed == [
        {
            "system": "dng-portal",
            "requirement": "log.central",
            "status": "Fail",
            "status_key": "fail",
            "severity": "High",
            "message": "Requirement log.central: fail",
        }
    ]
    assert other == []


def test_inventory_rows(state: StateDB) -> None:
    seed_inventory(state)
    with state.session() as s:
        systems_vi = system_rows(s, "vi")
        systems_en = system_rows(s, "en")
        agencies = agency_rows(s, "vi")
    assert systems_vi[0]["agency"] == "Sở Thông tin và Truyền thông"
    assert systems_vi[0]["zone"] == "Chính quyền điện tử"
    assert systems_vi[0]["security_level"] == 3
    assert systems_en[0]["agency"].startswith("Department of")
    assert agencies[0]["id"] == "dng-stttt"


def test_audit_rows_newest_first(state: StateDB) -> None:
    with state.session() as s:
        audit.record(s, "ana", "login", "ana", address="127.0.0.1")
        audit.record(s, "ana", "alert.close", "alert:1", note="xong")
    with state.session() as s:
        rows = audit_rows(audit.recent(s, limit=10), "vi", ZoneInfo("Asia/Ho_Chi_Minh"))
        only_logins = audit.recent(s, action="login")
    assert [r["action"] for r in rows] == ["alert.close", "login"]
    assert '"note":"xong"' in rows[0]["details"]
    assert len(only_logins) == 1
