"""The ``soc.inventory`` functions the console adds: parsing text in memory, evidence as CSV,
one record at a time (the rest of the package is tested in tests/test_inventory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc.errors import ContentError
from soc.inventory import (
    AgencyRecord,
    InventoryErrors,
    RecordRefused,
    delete_agency,
    delete_evidence,
    dump_evidence,
    dump_evidence_csv,
    load_evidence,
    load_inventory,
    parse_evidence,
    parse_inventory,
    upsert_agency,
)
from soc.state.db import StateDB
from tests.soc_dashboard.test_forms import DEMO


def test_text_in_memory_parses_like_the_file(tmp_path: Path) -> None:
    path = DEMO / "inventory.yaml"
    text = path.read_text(encoding="utf-8")
    assert parse_inventory(text, "upload.yaml", "yaml") == load_inventory(path)
    with pytest.raises(InventoryErrors) as found:
        parse_inventory(text.replace("zone: egov", "zone: cloud", 1), "upload.yaml", "yaml")
    assert found.value.source == "upload.yaml" and found.value.line is not None


def test_evidence_csv_keeps_every_record_and_the_types_of_details() -> None:
    found, _ = load_evidence(DEMO / "evidence.yaml")
    text = dump_evidence_csv(found)
    again, lines = parse_evidence(text, "evidence.csv", "csv")
    assert again.evidence == found.evidence and again.exchanges == []
    assert lines[found.evidence[0].id] == 2
    staff = next(r for r in again.evidence if "staff" in r.details).details["staff"]
    assert isinstance(staff, int)
    # The YAML form in memory reads what dump_evidence writes, exchanges included.
    assert parse_evidence(dump_evidence(found), "e.yaml", "yaml")[0] == found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind,title\ndrill,x\n", "CSV needs an 'id' column"),
        ("id,kind\ne1,drill,extra\n", "more cells than columns"),
    ],
)
def test_malformed_evidence_csv(text: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        parse_evidence(text, "e.csv", "csv")


def test_one_record_changes_say_why_they_are_refused(state: StateDB) -> None:
    with state.session() as s:
        assert upsert_agency(s, AgencyRecord(id="a", name="A")) is True
        assert upsert_agency(s, AgencyRecord(id="b", name="B", parent="a")) is True
        assert upsert_agency(s, AgencyRecord(id="a", name="A2")) is False
        refusals = []
        for call in (
            lambda: upsert_agency(s, AgencyRecord(id="a", name="A"), create=True),
            lambda: upsert_agency(s, AgencyRecord(id="a", name="A", parent="b")),
            lambda: upsert_agency(s, AgencyRecord(id="c", name="C", parent="z")),
            lambda: delete_agency(s, "a"),
            lambda: delete_agency(s, "z"),
            lambda: delete_evidence(s, "z"),
        ):
            with pytest.raises(RecordRefused) as refused:
                call()
            refusals.append((refused.value.reason, refused.value.field))
    assert refusals == [
        ("exists", "id"),
        ("parent_cycle", "parent"),
        ("unknown_agency", "parent"),
        ("in_use", None),
        ("missing", None),
        ("missing", None),
    ]
