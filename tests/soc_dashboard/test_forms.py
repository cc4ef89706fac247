"""Record forms: what the controls show, what they give back to the models, errors per field,
and uploads read safely."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from soc.inventory import EvidenceRecord, SystemRecord, load_evidence, load_inventory
from soc_dashboard.forms import (
    GENERAL,
    UploadRefused,
    field_id,
    form_values,
    record_data,
    upload_text,
    validate,
)
from soc_dashboard.i18n import MESSAGES
from soc_dashboard.views.records import AGENCY, EVIDENCE, SYSTEM

DEMO = Path(__file__).resolve().parents[2] / "soc" / "data" / "danang"


def data_url(raw: bytes, mime: str = "text/yaml") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def test_every_demo_system_and_agency_survives_the_form_unchanged() -> None:
    inventory = load_inventory(DEMO / "inventory.yaml")
    for kind, records in ((SYSTEM, inventory.systems), (AGENCY, inventory.agencies)):
        assert records
        for record in records:
            values = form_values(kind.fields, record)
            assert kind.model.model_validate(record_data(kind.fields, values)) == record


def test_every_demo_evidence_record_survives_the_form_unchanged() -> None:
    found, _ = load_evidence(DEMO / "evidence.yaml")
    assert any(r.details for r in found.evidence)
    for record in found.evidence:
        values = form_values(EVIDENCE.fields, record)
        assert EvidenceRecord.model_validate(record_data(EVIDENCE.fields, values)) == record


def test_form_covers_every_field_of_the_models() -> None:
    names = {f.name for f in SYSTEM.fields}
    klass = SystemRecord.model_fields["classification"].annotation
    assert klass is not None
    expected = {n for n in SystemRecord.model_fields if n != "classification"}
    expected |= {f"classification.{n}" for n in klass.model_fields}  # type: ignore[union-attr]
    assert names == expected
    assert {f.name for f in EVIDENCE.fields} == set(EvidenceRecord.model_fields)
    assert {f.name for f in AGENCY.fields} == set(AGENCY.model.model_fields)


def test_every_field_and_choice_has_both_labels() -> None:
    for kind in (SYSTEM, AGENCY, EVIDENCE):
        for spec in kind.fields:
            assert f"field.{spec.name}" in MESSAGES
            if spec.hint:
                assert spec.hint in MESSAGES
            for value in spec.choices if spec.choice_kind else ():
                assert f"{spec.choice_kind}.{value}" in MESSAGES, (spec.name, value)


def test_field_ids_keep_the_page_prefix_and_hold_no_dots() -> None:
    assert (
        field_id("systems-sys", "classification.ops_24x7")
        == "systems-sys-f-classification-ops_24x7"
    )


def _system_values(**changes: object) -> dict[str, object]:
    values = form_values(SYSTEM.fields, None)
    values.update(SYSTEM.defaults)
    values.update(
        {
            "id": "dng-test",
            "name": "Hệ thống thử",
            "owner": "dng-ubnd",
            "classification.system_type": "internal",
        }
    )
    values.update(changes)
    return values


def test_a_minimal_form_gives_a_record_with_the_model_defaults() -> None:
    record, errors = validate(SystemRecord, SYSTEM.fields, _system_values(), "vi")
    assert errors == {}
    assert isinstance(record, SystemRecord)
    assert record.zone == "datacenter" and record.instrumentable is True
    assert record.classification.state_secret_harm == "none" and record.ip_ranges == []


def test_errors_are_put_beside_their_fields_in_the_language() -> None:
    values = _system_values(
        name="",
        ip_ranges="10.0.0.0/8\n10.1.2.3/16",
        approved_level="9",
        **{"classification.personal_data_users": -3},
    )
    record, errors = validate(SystemRecord, SYSTEM.fields, values, "vi")
    assert record is None
    assert errors["name"] == ["Bắt buộc nhập."]
    assert errors["ip_ranges"][0].startswith("dòng 2: not a CIDR block")
    assert errors["approved_level"] == ["Giá trị ngoài khoảng cho phép."]
    assert errors["classification.personal_data_users"] == ["Giá trị ngoài khoảng cho phép."]
    _, english = validate(SystemRecord, SYSTEM.fields, _system_values(go_live="31/12/2025"), "en")
    assert english == {"go_live": ["A date as YYYY-MM-DD."]}


def test_values_the_form_cannot_read_are_refused_before_the_model() -> None:
    _, errors = validate(
        SystemRecord, SYSTEM.fields, _system_values(internet_links="a | b | c | d"), "en"
    )
    assert errors == {"internet_links": ["line 1: write “id | provider | IDS sensor”."]}
    _, errors = validate(
        EvidenceRecord, EVIDENCE.fields, {"id": "x", "kind": "drill", "details": "- a list"}, "en"
    )
    assert errors == {"details": ["Write one “key: value” per line (YAML)."]}
    _, errors = validate(
        SystemRecord,
        SYSTEM.fields,
        _system_values(**{"classification.personal_data_users": "many"}),
        "en",
    )
    assert errors == {"classification.personal_data_users": ["Must be a whole number."]}


def test_errors_of_the_whole_record_have_their_own_place() -> None:
    _, errors = validate(EvidenceRecord, EVIDENCE.fields, {"id": "ev-1", "kind": "drill"}, "en")
    assert list(errors) == [GENERAL]
    assert "system or an agency" in errors[GENERAL][0]


def test_uploads_are_read_as_utf8_yaml_or_csv() -> None:
    text = "agencies: []\n"
    assert upload_text(data_url(text.encode()), "kho.YML") == (text, "yaml")
    assert upload_text(data_url(b"\xef\xbb\xbfrecord,id\n"), "x.csv") == ("record,id\n", "csv")


@pytest.mark.parametrize(
    ("contents", "filename", "key"),
    [
        (data_url(b"a: 1"), "inventory.xlsx", "upload.bad_type"),
        (data_url(b"a: 1"), None, "upload.bad_type"),
        ("not a data url", "a.yaml", "upload.unreadable"),
        ("data:text/yaml;base64,@@@", "a.yaml", "upload.unreadable"),
        (data_url("Đà Nẵng".encode("utf-16")), "a.yaml", "upload.not_utf8"),
        (data_url(b"x" * 2049), "a.csv", "upload.too_large"),
    ],
)
def test_unusable_uploads_say_why(contents: str, filename: str | None, key: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        upload_text(contents, filename, limit=2048)
    assert refused.value.key == key
