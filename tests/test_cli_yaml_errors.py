"""Inventory and evidence YAML: a broken file or an impossible date is one line at its line."""

from __future__ import annotations

import pytest

from soc.errors import SocError
from soc.inventory.files import parse_evidence, read_yaml_lines

# -- YAML files -------------------------------------------------------------------------------


def test_broken_yaml_is_one_line_at_its_line() -> None:
    with pytest.raises(SocError) as caught:
        read_yaml_lines("agencies:\n  - id: a\n    name: [x,\n", "inv.yaml")
    text = str(caught.value)
    assert text.startswith("inv.yaml:4: not valid YAML: ") and "\n" not in text


@pytest.mark.parametrize(
    ("text", "line", "value"),
    [
        ("evidence:\n  - id: e1\n    issued_on: 2026-02-30\n", 3, "2026-02-30"),
        ("systems:\n  - id: s\n    name: S\n    go_live: 2013-06-31\n", 4, "2013-06-31"),
    ],
)
def test_a_date_that_does_not_exist_is_an_error_at_its_line(
    text: str, line: int, value: str
) -> None:
    with pytest.raises(SocError) as caught:
        read_yaml_lines(text, "f.yaml")
    assert str(caught.value) == (
        f"f.yaml:{line}: invalid date '{value}': day is out of range for month"
    )


def test_real_dates_still_read_as_dates() -> None:
    raw, _ = read_yaml_lines("evidence:\n  - issued_on: 2024-02-29\n", "f.yaml")
    assert str(raw["evidence"][0]["issued_on"]) == "2024-02-29"


def test_an_impossible_date_in_an_evidence_csv_detail_is_kept_as_text() -> None:
    csv_text = (
        "id,kind,system,agency,title,issued_on,expires_on,details.checked\n"
        "e1,control,,dng-ubnd,T,2026-01-01,,2026-02-30\n"
    )
    found, _ = parse_evidence(csv_text, "e.csv", "csv")
    assert found.evidence[0].details["checked"] == "2026-02-30"
