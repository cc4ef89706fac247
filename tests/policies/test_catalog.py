"""The requirement catalogue: valid, corrected from the draft, profiles by date, messages for
every reason the policies return."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from policies.bundle import REGO_DIR, rego_files
from policies.catalog_loader import CONTROLS, REQUIREMENTS_FILE, Catalog, engine_data, load_catalog
from soc.errors import ContentError
from soc.inventory import InventoryErrors

DEMO_EVIDENCE = Path(__file__).resolve().parents[2] / "soc" / "data" / "danang" / "evidence.yaml"
# Added by policies.render (the last two follow layer 2's message when alerts were handled).
RENDER_REASONS = {"not_at_level", "not_in_force", "alert_handling", "alert_oldest_open"}


def test_the_catalogue_loads_with_unique_ids(catalog: Catalog) -> None:
    ids = [r.id for r in catalog.requirements]
    assert len(ids) == len(set(ids)) > 80
    assert {p for r in catalog.requirements for p in r.profiles} == {"legacy", "current"}


@pytest.mark.parametrize(
    "requirement",
    ["APP-01", "NET-04c", "DAT-06c", "NET-01c", "CLS-01", "LOG-02", "MAIL-01", "IR-01", "L4M-3"],
)
def test_corrections_from_the_draft_are_recorded(catalog: Catalog, requirement: str) -> None:
    assert catalog.requirement(requirement).correction


def test_corrections_follow_regulations_md(catalog: Catalog) -> None:
    assert catalog.requirement("L4M-3").profiles == ["legacy", "current"]
    assert catalog.requirement("APP-01").levels == [1, 2, 3, 4, 5]
    assert catalog.requirement("APP-02").levels == [2, 3, 4, 5]
    mail = catalog.requirement("MAIL-01")
    assert mail.when is not None and mail.when.functions_any == ["email"]
    assert catalog.requirement("LOG-03c").check.min_days == {"2": 30, "3": 90, "4": 180, "5": 365}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("day", "profile"),
    [(date(2020, 1, 1), "legacy"), (date(2026, 6, 30), "legacy"), (date(2026, 7, 1), "current")],
)
def test_the_profile_in_force_on_a_date(catalog: Catalog, day: date, profile: str) -> None:
    assert catalog.profile_for(day) == profile
    assert catalog.profile_for(day, "legacy") == "legacy"


def test_an_unknown_profile_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ContentError, match="unknown profile"):
        catalog.profile_for(date(2026, 1, 1), "future")


def test_the_index_resolves_periods_per_level_and_effective_dates(catalog: Catalog) -> None:
    index = engine_data(catalog)["index"]
    scans = {lv: next(e for e in index["current"][lv] if e["id"] == "VUL-01") for lv in "135"}
    assert [scans[lv]["check"]["max_age_days"] for lv in "135"] == [365, 183, 92]
    assert not any(e["id"] == "GOV-10c" for e in index["legacy"]["3"])
    gov14c = next(e for e in index["current"]["3"] if e["id"] == "GOV-14c")
    assert gov14c["from_ns"] == 1787097600 * 10**9  # 2026-08-19


def _reasons_in_rego() -> set[str]:
    found: set[str] = set()
    for path in rego_files(REGO_DIR):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'outcome\(\s*(?:"[a-z_]+"|c\.missing),\s*"([a-z0-9_]+)"', text))
        found |= set(re.findall(r'\[r\.id, "[a-z_]+", "([a-z_]+)"', text))
    return found


def test_every_reason_the_policies_return_has_a_message_and_no_message_is_dead(
    catalog: Catalog,
) -> None:
    reasons = _reasons_in_rego() | RENDER_REASONS
    assert len(reasons) > 40
    assert reasons - set(catalog.messages) == set()
    dynamic = {"order_ok", "order_wrong"}  # chosen by a lookup table in the policy
    assert set(catalog.messages) - reasons - dynamic == set()


def test_demo_evidence_uses_known_controls() -> None:
    data = yaml.safe_load(DEMO_EVIDENCE.read_text(encoding="utf-8"))
    named = {c for r in data["evidence"] for c in r.get("details", {}).get("controls", [])}
    assert named and named <= CONTROLS


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = REQUIREMENTS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_unknown_control_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = _broken(tmp_path, "control: pam}", "control: pamm}")
    with pytest.raises(InventoryErrors) as caught:
        load_catalog(bad)
    (error,) = caught.value.errors
    assert "pamm" in error.message and error.line and error.source == str(bad)


def test_a_duplicate_requirement_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InventoryErrors, match="duplicate requirement GOV-01"):
        load_catalog(_broken(tmp_path, "  - id: GOV-09\n", "  - id: GOV-01\n"))
