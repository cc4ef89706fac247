"""Editing one system, agency or evidence record: role checks, validation, references, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from soc.errors import AuthError
from soc.inventory import evidence_row
from soc.state.db import StateDB
from soc.state.models import Agency, AuditEntry, System
from soc_dashboard.context import Actor
from soc_dashboard.forms import GENERAL, form_values
from soc_dashboard.views.records import (
    AGENCY,
    EVIDENCE,
    SYSTEM,
    delete_record,
    new_record,
    open_record,
    save_record,
)
from tests.soc_dashboard.conftest import seed_inventory

ADMIN = Actor(1, "boss", "admin")
ANALYST = Actor(2, "ana", "analyst")
AUDITOR = Actor(3, "audi", "auditor")


def system_form(**changes: Any) -> dict[str, Any]:
    values = new_record(ADMIN, SYSTEM).values or {}
    values.update(
        {
            "id": "dng-hanhchinh",
            "name": "Hệ thống quản lý hành chính",
            "owner": "dng-stttt",
            "classification.system_type": "internal",
            "ip_ranges": "10.10.30.0/24",
        }
    )
    values.update(changes)
    return values


def audit_actions(state: StateDB) -> list[tuple[str, str | None, dict[str, Any]]]:
    with state.session() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target, e.details) for e in entries]


def test_admin_adds_then_edits_a_system_and_both_are_audited(state: StateDB) -> None:
    seed_inventory(state)
    with state.session() as s:
        added = save_record(s, ADMIN, SYSTEM, system_form(), {"key": None}, "vi")
    assert added.notice == ("Đã thêm “dng-hanhchinh”.", "success")
    assert added.changed and added.mode == {"key": "dng-hanhchinh"} and added.errors == {}
    with state.session() as s:
        opened = open_record(s, ADMIN, SYSTEM, "dng-hanhchinh", "vi")
        values = dict(opened.values or {})
        values.update({"id": "renamed", "approved_level": "2", "classification.ops_24x7": ["on"]})
        saved = save_record(s, ADMIN, SYSTEM, values, opened.mode, "en")
    assert saved.notice == ("Saved “dng-hanhchinh”.", "success")
    with state.session() as s:
        assert s.get(System, "renamed") is None  # the id of a stored record is not changed
        row = s.get(System, "dng-hanhchinh")
        assert row is not None and row.security_level == 2 and row.agency_id == "dng-stttt"
        assert row.attributes["classification"]["ops_24x7"] is True
    assert audit_actions(state) == [
        ("system.create", "system:dng-hanhchinh", {"fields": []}),
        (
            "system.update",
            "system:dng-hanhchinh",
            {"fields": ["approved_level", "classification.ops_24x7"]},
        ),
    ]


@pytest.mark.parametrize("actor", [ANALYST, AUDITOR, None])
def test_roles_other_than_admin_cannot_edit(state: StateDB, actor: Actor | None) -> None:
    seed_inventory(state)
    with state.session() as s:
        with pytest.raises(AuthError):
            save_record(s, actor, SYSTEM, system_form(), {"key": None}, "vi")
        with pytest.raises(AuthError):
            delete_record(s, actor, SYSTEM, {"key": "dng-portal"}, "vi")
        with pytest.raises(AuthError):
            open_record(s, actor, EVIDENCE, "x", "vi")
    with state.session() as s:
        assert s.get(System, "dng-hanhchinh") is None and s.get(System, "dng-portal") is not None
    assert audit_actions(state) == []


def test_a_bad_value_saves_nothing_and_says_where(state: StateDB) -> None:
    seed_inventory(state)
    with state.session() as s:
        result = save_record(
            s, ADMIN, SYSTEM, system_form(zone=None, urls="ftp://x"), {"key": None}, "vi"
        )
    assert result.notice == ("Chưa lưu: sửa các ô được đánh dấu.", "error")
    assert result.errors["zone"] == ["Bắt buộc nhập."]
    assert "not an http(s) URL" in result.errors["urls"][0]
    assert not result.changed and result.mode == {"key": None}
    with state.session() as s:
        assert s.get(System, "dng-hanhchinh") is None
    assert audit_actions(state) == []


def test_references_and_duplicates_are_refused_on_their_field(state: StateDB) -> None:
    seed_inventory(state)
    with state.session() as s:
        unknown = save_record(s, ADMIN, SYSTEM, system_form(operator="nobody"), {"key": None}, "vi")
        twice = save_record(s, ADMIN, SYSTEM, system_form(id="dng-portal"), {"key": None}, "en")
        cycle = save_record(
            s,
            ADMIN,
            AGENCY,
            {"id": "dng-stttt", "name": "Sở", "kind": "department", "parent": "dng-stttt"},
            {"key": "dng-stttt"},
            "en",
        )
    assert unknown.errors == {"operator": ["Không có cơ quan, đơn vị này."]}
    assert twice.errors == {"id": ["This id exists; open it from the table to edit it."]}
    assert cycle.errors == {"parent": ["The parent agencies would form a cycle."]}
    with state.session() as s:
        portal = s.get(System, "dng-portal")
        assert portal is not None and portal.name == "Cổng dịch vụ công"


def test_deleting_what_is_still_referred_to_is_refused(state: StateDB) -> None:
    seed_inventory(state)
    with state.session() as s:
        agency = delete_record(s, ADMIN, AGENCY, {"key": "dng-stttt"}, "en")
        save_record(
            s,
            ADMIN,
            EVIDENCE,
            {"id": "portal-dossier", "kind": "level_dossier", "system": "dng-portal"},
            {"key": None},
            "en",
        )
        system = delete_record(s, ADMIN, SYSTEM, {"key": "dng-portal"}, "en")
    assert agency.notice is not None and agency.notice[1] == "error"
    assert "1 systems, 0 sub-units and 0 evidence" in agency.notice[0]
    assert system.notice is not None and "1 evidence records" in system.notice[0]
    with state.session() as s:
        assert s.get(Agency, "dng-stttt") is not None and s.get(System, "dng-portal") is not None
        evidence = delete_record(s, ADMIN, EVIDENCE, {"key": "portal-dossier"}, "vi")
        system = delete_record(s, ADMIN, SYSTEM, {"key": "dng-portal"}, "vi")
        agency = delete_record(s, ADMIN, AGENCY, {"key": "dng-stttt"}, "vi")
    assert [r.notice for r in (evidence, system, agency)] == [
        ("Đã xóa “portal-dossier”.", "success"),
        ("Đã xóa “dng-portal”.", "success"),
        ("Đã xóa “dng-stttt”.", "success"),
    ]
    assert all(r.mode is None and r.changed for r in (evidence, system, agency))
    assert [a for a, _, _ in audit_actions(state)] == [
        "evidence.create",
        "evidence.delete",
        "system.delete",
        "agency.delete",
    ]


def test_evidence_round_trip_through_the_form(state: StateDB) -> None:
    seed_inventory(state)
    values = form_values(EVIDENCE.fields, None)
    values.update(
        {
            "id": "portal-pentest-2026",
            "kind": "pentest",
            "system": "dng-portal",
            "title": "Báo cáo kiểm thử xâm nhập cổng dịch vụ công",
            "issued_on": "2026-03-01",
            "expires_on": "2027-03-01",
            "provider": "Công ty An ninh mạng Hải Vân",
            "reference": "07/2026/BC-HV",
            "details": "findings: 3\ncritical: false",
        }
    )
    with state.session() as s:
        saved = save_record(s, ADMIN, EVIDENCE, values, {"key": None}, "vi")
        assert saved.errors == {}
        row = evidence_row(s, "portal-pentest-2026")
        assert row is not None and row.details == {
            "findings": 3,
            "critical": False,
            "key": row.details["key"],
        }
        opened = open_record(s, ADMIN, EVIDENCE, "portal-pentest-2026", "vi")
    assert opened.values is not None
    assert opened.values["issued_on"] == "2026-03-01"
    assert opened.values["details"] == "findings: 3\ncritical: false"
    with state.session() as s:
        unknown = save_record(
            s, ADMIN, EVIDENCE, {**values, "id": "other", "system": "nope"}, {"key": None}, "en"
        )
        nothing = save_record(s, ADMIN, EVIDENCE, {**values, "system": None}, opened.mode, "en")
    assert unknown.errors == {"system": ["No such system."]}
    assert GENERAL in nothing.errors


def test_opening_a_missing_record_or_saving_a_closed_form(state: StateDB) -> None:
    with state.session() as s:
        missing = open_record(s, ADMIN, SYSTEM, "ghost", "en")
        closed = save_record(s, ADMIN, SYSTEM, system_form(), None, "en")
        gone = delete_record(s, ADMIN, SYSTEM, {"key": "ghost"}, "en")
    assert missing.mode is None and missing.notice == ("“ghost” was not found.", "error")
    assert closed.notice == ("The form was closed; open it again.", "error")
    assert gone.notice == ("The record no longer exists.", "error")
