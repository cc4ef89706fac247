"""Every project YARA rule fires on its positive samples and on none of the negatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from detections.yara.cache import LoadedRuleSet
from detections.yara.content import check_project_rules
from detections.yara.scanner import Candidate, FileScanner, ScanReport
from detections.yara.settings import YaraSettings
from tests.detections.yara.samples import NEGATIVE, POSITIVE, Sample

POSITIVE_CASES = [(rule, s) for rule, samples in POSITIVE.items() for s in samples]
NEGATIVE_CASES = [(rule, s) for rule, samples in NEGATIVE.items() for s in samples]


def _rules_matching(rule_set: LoadedRuleSet, sample: Sample, folder: Path) -> set[str]:
    path = folder / sample.name
    path.write_bytes(sample.data)
    scanner = FileScanner(rule_set, YaraSettings())
    events = scanner.scan_candidate(Candidate(path, len(sample.data), 0), ScanReport())
    assert all(e["event"]["kind"] == "alert" for e in events), events
    return {e["rule"]["name"] for e in events if e["rule"]["ruleset"] == "soc"}


def test_project_rules_carry_the_metadata_the_platform_reads(project_rules: LoadedRuleSet) -> None:
    assert project_rules.failures == ()
    assert project_rules.rules is not None
    assert check_project_rules(project_rules.rules) == []


def test_every_project_rule_has_positive_and_negative_samples(project_rules: LoadedRuleSet) -> None:
    assert project_rules.rules is not None
    names = {r.identifier for r in project_rules.rules}
    assert names - set(POSITIVE) == set(), "rules without positive samples"
    assert names - set(NEGATIVE) == set(), "rules without negative samples"
    assert set(POSITIVE) | set(NEGATIVE) <= names, "samples for rules that do not exist"


@pytest.mark.parametrize(
    ("rule", "sample"), POSITIVE_CASES, ids=[f"{r}-{s.name}" for r, s in POSITIVE_CASES]
)
def test_positive_sample_matches_exactly_its_rule(
    rule: str, sample: Sample, project_rules: LoadedRuleSet, tmp_path: Path
) -> None:
    assert _rules_matching(project_rules, sample, tmp_path) == {rule}


@pytest.mark.parametrize(
    ("rule", "sample"), NEGATIVE_CASES, ids=[f"{r}-{s.name}" for r, s in NEGATIVE_CASES]
)
def test_negative_sample_matches_no_project_rule(
    rule: str, sample: Sample, project_rules: LoadedRuleSet, tmp_path: Path
) -> None:
    assert _rules_matching(project_rules, sample, tmp_path) == set()
