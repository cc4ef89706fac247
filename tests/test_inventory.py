"""The inventory and evidence files: validation with file and line, database round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from soc.errors import ContentError
from soc.inventory import (
    InventoryErrors,
    dump_evidence,
    dump_inventory,
    import_evidence,
    import_inventory,
    load_evidence,
    load_inventory,
    read_evidence,
    read_inventory,
)
from soc.state.db import StateDB, open_state
from soc.state.models import Agency, Evidence, Exchange, System

DEMO = Path(__file__).resolve().parents[1] / "soc" / "data" / "danang"

GOOD = """\
agencies:
  - id: a-city
    name: Ủy ban nhân dân thành phố
  - id: a-dept
    name: Sở Khoa học và Công nghệ
    parent: a-city
    ip_ranges: [10.30.2.0/24]
systems:
  - id: s-portal
    name: Cổng dịch vụ công
    owner: a-city
    operator: a-dept
    zone: egov
    approved_level: 3
    classification: {system_type: citizen_service, online_public_service_level: 4}
    ip_ranges: [10.10.20.0/27, 2001:df2:9b00::/48]
    hostnames: [DichVuCong.DaNang.gov.vn]
    urls: [https://dichvucong.danang.gov.vn/]
    log_sources: [nginx.access]
    internet_links:
      - {id: link-1, ids_sensor: ids-01}
      - {id: link-2, provider: "VNPT Đà Nẵng (FTTH = 1 Gb/s)", ids_sensor: ids-02}
      - {id: link-3, provider: Viettel}
"""


@pytest.fixture
def state(tmp_path: Path) -> StateDB:
    return open_state(f"sqlite:///{tmp_path / 'state.db'}")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_inventory_loads_typed_and_normalised(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", GOOD))
    portal = inv.systems[0]
    assert portal.hostnames == ["dichvucong.danang.gov.vn"]
    assert portal.ip_ranges == ["10.10.20.0/27", "2001:df2:9b00::/48"]
    assert portal.classification.online_public_service_level == 4
    assert portal.internet_links[0].ids_sensor == "ids-01"
    assert [a.parent for a in inv.agencies] == [None, "a-city"]


def test_every_error_is_collected_with_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace("zone: egov", "zone: cloud").replace(
        "ip_ranges: [10.30.2.0/24]", "ip_ranges: [10.30.2.1/24]"
    )
    with pytest.raises(InventoryErrors) as caught:
        load_inventory(write(tmp_path, "bad.yaml", bad))
    errors = caught.value.errors
    by_text = {e.message.split(":")[0]: e.line for e in errors}
    assert len(errors) == 2
    assert by_text["agencies[1].ip_ranges.0"] == 7
    assert by_text["systems[0].zone"] == 13
    assert all(e.source and e.source.endswith("bad.yaml") for e in errors)


def test_unknown_keys_duplicates_and_cycles_are_refused(tmp_path: Path) -> None:
    text = """\
agencies:
  - {id: a, name: A, parent: b}
  - {id: b, name: B, parent: a}
  - {id: b, name: B again}
systems:
  - {id: s, name: S, owner: a, zone: man, colour: red, classification: {system_type: other}}
  - {id: t, name: T, owner: a-nowhere, zone: man, classification: {system_type: other}}
"""
    with pytest.raises(InventoryErrors) as caught:
        load_inventory(write(tmp_path, "x.yaml", text))
    messages = " | ".join(e.message for e in caught.value.errors)
    assert "duplicate agency id 'b'" in messages
    assert "cycle" in messages
    assert any(
        "unknown agency 'a-nowhere'" in e.message and e.line == 7 for e in caught.value.errors
    )
    assert "colour" in messages
    assert any(e.hint == "remove or rename the key" for e in caught.value.errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agencies: {}\n", "'agencies' must be a list"),
        ("- a\n", "must be a mapping"),
        ("hosts: []\n", "unknown section 'hosts'"),
        ("agencies: [\n", "not valid YAML"),
    ],
)
def test_malformed_files_give_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ContentError, match=expected):
        load_inventory(write(tmp_path, "m.yaml", text))


def test_missing_and_non_utf8_files_are_content_errors(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not found"):
        load_inventory(tmp_path / "absent.yaml")
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Đà Nẵng".encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(ContentError, match="UTF-8"):
        load_inventory(path)


def test_csv_round_trip_keeps_everything(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", GOOD))
    again = load_inventory(write(tmp_path, "inv.csv", dump_inventory(inv, "csv")))
    assert again == inv


def test_csv_links_keep_their_provider_and_older_files_still_read(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", GOOD))
    text = dump_inventory(inv, "csv")
    assert (
        "link-1 |  | ids-01;link-2 | VNPT Đà Nẵng (FTTH = 1 Gb/s) | ids-02;link-3 | Viettel" in text
    )
    older = text.replace("link-1 |  | ids-01", "link-1=ids-01")  # the form written before
    assert load_inventory(write(tmp_path, "old.csv", older)) == inv


def test_link_parts_may_not_hold_the_separators(tmp_path: Path) -> None:
    bad = GOOD.replace("provider: Viettel", 'provider: "Viettel; FPT"')
    with pytest.raises(InventoryErrors) as caught:
        load_inventory(write(tmp_path, "inv.yaml", bad))
    assert "internet_links.2.provider" in caught.value.errors[0].message


def test_csv_errors_name_the_row_line(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", GOOD))
    text = dump_inventory(inv, "csv").replace("citizen_service", "spaceship")
    with pytest.raises(InventoryErrors) as caught:
        load_inventory(write(tmp_path, "inv.csv", text))
    assert caught.value.errors[0].line == 4
    assert "classification.system_type" in caught.value.errors[0].message


def test_import_export_round_trip_through_the_state_db(tmp_path: Path, state: StateDB) -> None:
    inv = load_inventory(DEMO / "inventory.yaml")
    with state.session() as s:
        counts = import_inventory(s, inv)
    assert counts == {"agencies": len(inv.agencies), "systems": len(inv.systems), "removed": 0}
    with state.session() as s:
        portal = s.get(System, "dng-portal")
        assert portal is not None
        assert portal.security_level == 3 and portal.zone == "egov"
        assert portal.attributes["classification"]["administrative_procedures"] is True
        assert "egov.portal" in portal.attributes["log_sources"]
        exported = read_inventory(s)
    assert exported == inv.model_copy(
        update={"agencies": sorted(inv.agencies, key=lambda a: a.id)}
    ).model_copy(update={"systems": sorted(inv.systems, key=lambda x: x.id)})
    reloaded = load_inventory(write(tmp_path, "out.yaml", dump_inventory(exported, "yaml")))
    assert reloaded == exported


def test_reimport_updates_and_prune_removes(state: StateDB, tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", GOOD))
    with state.session() as s:
        import_inventory(s, load_inventory(DEMO / "inventory.yaml"))
        import_inventory(s, inv)
    with state.session() as s:
        assert s.scalar(select(Agency).where(Agency.id == "dng-ca")) is not None
        counts = import_inventory(s, inv, prune=True)
    with state.session() as s:
        assert sorted(s.scalars(select(System.id))) == ["s-portal"]
        assert sorted(s.scalars(select(Agency.id))) == ["a-city", "a-dept"]
    assert counts["removed"] > 0


def test_demo_evidence_imports_once_and_round_trips(state: StateDB, tmp_path: Path) -> None:
    with state.session() as s:
        import_inventory(s, load_inventory(DEMO / "inventory.yaml"))
    found, lines = load_evidence(DEMO / "evidence.yaml")
    assert all(line for line in lines.values())
    with state.session() as s:
        first = import_evidence(s, found)
    with state.session() as s:
        second = import_evidence(s, found)
        assert s.scalar(select(Evidence).where(Evidence.kind == "level_dossier")) is not None
        held = list(s.scalars(select(Exchange)))
        assert len(held) == len(found.exchanges) == first["exchanges"]
        exported = read_evidence(s)
    assert second["exchanges"] == 0
    assert {r.id for r in exported.evidence} == {r.id for r in found.evidence}
    again, _ = load_evidence(write(tmp_path, "ev.yaml", dump_evidence(exported)))
    assert again == exported
    assert [x.at_utc() for x in again.exchanges] == sorted(x.at_utc() for x in found.exchanges)


def test_evidence_for_unknown_systems_is_refused(state: StateDB, tmp_path: Path) -> None:
    text = "evidence:\n  - {id: e1, kind: level_dossier, system: ghost}\n"
    found, _ = load_evidence(write(tmp_path, "ev.yaml", text))
    with state.session() as s, pytest.raises(InventoryErrors, match="unknown system"):
        import_evidence(s, found)


def test_evidence_needs_a_subject_and_a_known_kind(tmp_path: Path) -> None:
    text = "evidence:\n  - {id: e1, kind: level_dossier}\n  - {id: e2, kind: rumour, system: s}\n"
    with pytest.raises(InventoryErrors) as caught:
        load_evidence(write(tmp_path, "ev.yaml", text))
    assert [e.line for e in caught.value.errors] == [2, 3]


@pytest.mark.parametrize(
    ("records", "line", "message"),
    [
        (  # the second use of an id
            "  - {id: e1, kind: level_dossier, system: s-portal}\n"
            "  - {id: e2, kind: level_dossier, system: s-portal}\n"
            "  - {id: e1, kind: pentest, system: s-portal}\n",
            4,
            "duplicate evidence id 'e1'",
        ),
        (  # expiring before it was issued
            "  - {id: e1, kind: pentest, system: s-portal, issued_on: 2026-05-01,"
            " expires_on: 2026-04-30}\n",
            2,
            "before issued_on",
        ),
    ],
)
def test_a_bad_evidence_record_is_named_at_its_line(
    tmp_path: Path, records: str, line: int, message: str
) -> None:
    with pytest.raises(InventoryErrors) as caught:
        load_evidence(write(tmp_path, "ev.yaml", "evidence:\n" + records))
    (error,) = caught.value.errors
    assert error.line == line and message in error.message, error
