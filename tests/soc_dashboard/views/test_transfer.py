"""Uploading and downloading the inventory and the evidence: all or nothing, every problem with
its line, the same results as the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from soc.errors import AuthError
from soc.inventory import import_inventory, load_evidence, load_inventory, read_evidence
from soc.state.db import StateDB
from soc.state.models import AuditEntry, Evidence, Exchange, System
from soc_dashboard.context import Actor
from soc_dashboard.views.transfer import (
    evidence_file,
    import_evidence_upload,
    import_inventory_upload,
    inventory_file,
)
from tests.soc_dashboard.test_forms import DEMO, data_url

ADMIN = Actor(1, "boss", "admin")
AUDITOR = Actor(3, "audi", "auditor")

BROKEN = """\
agencies:
  - id: dng-ubnd
    name: Ủy ban nhân dân thành phố
systems:
  - id: dng-portal
    name: Cổng dịch vụ công
    owner: dng-ubnd
    zone: egov
    classification: {system_type: citizen_service}
  - id: dng-bad
    name: Hệ thống lỗi
    owner: dng-nobody
    zone: cloud
    classification: {system_type: internal}
    ip_ranges: [10.1.2.3/16]
  - id: dng-orphan
    name: Hệ thống không có chủ quản
    owner: dng-nobody
    zone: egov
    classification: {system_type: internal}
"""


def count(state: StateDB, model: type) -> int:
    with state.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_bad_inventory_lists_every_problem_with_its_line_and_imports_nothing(
    state: StateDB,
) -> None:
    with state.session() as s:
        outcome = import_inventory_upload(s, ADMIN, data_url(BROKEN.encode()), "kho.yaml", "vi")
    assert not outcome.ok
    assert outcome.message.startswith("Tệp có 3 lỗi, chưa nhập gì.")
    assert outcome.problems[0].startswith("Dòng 13: systems[1].zone: Input should be")
    assert outcome.problems[1].startswith("Dòng 15: systems[1].ip_ranges.0")
    assert outcome.problems[2] == "Dòng 16: unknown agency 'dng-nobody'"
    assert count(state, System) == 0
    assert count(state, AuditEntry) == 0


def test_the_demo_inventory_uploads_as_yaml_and_csv_like_the_command_line(
    state: StateDB, tmp_path: Path
) -> None:
    text = (DEMO / "inventory.yaml").read_bytes()
    with state.session() as s:
        outcome = import_inventory_upload(s, ADMIN, data_url(text), "inventory.yaml", "en")
    expected = load_inventory(DEMO / "inventory.yaml")
    assert outcome.ok
    assert outcome.message == (
        f"Imported {len(expected.agencies)} agencies and {len(expected.systems)} systems."
    )
    with state.session() as s:
        csv_text, name = inventory_file(s, AUDITOR, "csv")
    assert name.startswith("inventory-") and name.endswith(".csv")
    (tmp_path / "inventory.csv").write_text(csv_text, encoding="utf-8")
    # The CSV keeps every field, Internet links' providers included; the export lists records by
    # id.
    wanted = expected.model_dump(mode="json")
    assert any(link["provider"] for s in wanted["systems"] for link in s["internet_links"])
    got = load_inventory(tmp_path / "inventory.csv").model_dump(mode="json")
    for section in ("agencies", "systems"):
        assert got[section] == sorted(wanted[section], key=lambda r: r["id"])
    with state.session() as s:
        again = import_inventory_upload(s, ADMIN, data_url(csv_text.encode()), name, "en")
        yaml_text, _ = inventory_file(s, ADMIN, "yaml")
    assert again.ok and count(state, System) == len(expected.systems)
    assert {s["id"] for s in yaml.safe_load(yaml_text)["systems"]} == {
        s.id for s in expected.systems
    }
    with state.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "inventory.import",
        "inventory.export",
        "inventory.import",
        "inventory.export",
    ]


def test_evidence_uploads_yaml_then_round_trips_through_csv(state: StateDB) -> None:
    with state.session() as s:
        import_inventory(s, load_inventory(DEMO / "inventory.yaml"))
    demo = (DEMO / "evidence.yaml").read_bytes()
    with state.session() as s:
        first = import_evidence_upload(s, ADMIN, data_url(demo), "evidence.yaml", "vi")
    found, _ = load_evidence(DEMO / "evidence.yaml")
    assert first.ok and first.message.startswith(f"Đã nhập {len(found.evidence)} bằng chứng")
    with state.session() as s:
        csv_text, name = evidence_file(s, AUDITOR, "csv")
        before = read_evidence(s).evidence
    assert "details.staff" in csv_text.splitlines()[0]
    with state.session() as s:
        s.execute(Evidence.__table__.delete())
    with state.session() as s:
        again = import_evidence_upload(s, ADMIN, data_url(csv_text.encode()), name, "vi")
        after = read_evidence(s).evidence
    assert again.ok
    assert sorted(after, key=lambda r: r.id) == sorted(before, key=lambda r: r.id)
    assert count(state, Exchange) == len(found.exchanges)  # CSV carries no exchanges


def test_bad_evidence_is_refused_whole(state: StateDB) -> None:
    text = (
        "id,kind,system,issued_on\n"
        "ok-1,drill,,2026-01-01\n"
        "bad-1,party,dng-portal,2026-01-01\n"
        "bad-2,drill,dng-portal,01/02/2026\n"
    )
    with state.session() as s:
        outcome = import_evidence_upload(s, ADMIN, data_url(text.encode()), "ev.csv", "en")
    assert not outcome.ok and outcome.message.startswith("3 problem(s) in the file")
    assert [p.split(":")[0] for p in outcome.problems] == ["Line 2", "Line 3", "Line 4"]
    assert count(state, Evidence) == 0
    with state.session() as s:
        unknown = import_evidence_upload(
            s,
            ADMIN,
            data_url(b"evidence:\n  - {id: e1, kind: drill, system: ghost}\n"),
            "e.yml",
            "en",
        )
    assert unknown.problems == ["Line 2: evidence 'e1' names an unknown system 'ghost'"]


def test_unusable_files_and_refused_roles(state: StateDB) -> None:
    with state.session() as s:
        wrong = import_inventory_upload(s, ADMIN, data_url(b"x"), "inventory.json", "en")
        not_yaml = import_inventory_upload(s, ADMIN, data_url(b"a: [1"), "a.yaml", "en")
        with pytest.raises(AuthError):
            import_inventory_upload(s, AUDITOR, data_url(b"agencies: []"), "a.yaml", "en")
        with pytest.raises(AuthError):
            import_evidence_upload(s, Actor(2, "ana", "analyst"), data_url(b""), "a.yaml", "en")
        with pytest.raises(AuthError):
            evidence_file(s, Actor(4, "drill", "drill_leader"), "yaml")
    assert wrong.message == "Only .yaml, .yml or .csv files are accepted." and not wrong.problems
    assert not not_yaml.ok and not_yaml.problems[0].startswith("Line 1: not valid YAML")
