"""The SOC's Suricata rules as typed data: parsing, the content checks, samples for every SID."""

from __future__ import annotations

from pathlib import Path

import pytest

from detections.suricata.rulefile import (
    check_project_rules,
    load_project_rules,
    parse_rule,
    read_rules,
    split_options,
)
from detections.suricata.samples import load_samples
from soc.errors import ContentError

GOOD = (
    'alert http any any -> any any (msg:"SOC TEST x"; http.uri; content:"a\\;b"; '
    "classtype:web-application-attack; metadata:soc_level high, mitre_technique_id T1190, "
    "created_at 2026_11_23; sid:9100999; rev:2;)"
)


def test_project_rules_are_valid_and_in_the_soc_sid_range() -> None:
    rules = load_project_rules()
    assert len(rules) >= 25
    assert all(9_100_000 <= r.sid < 9_200_000 for r in rules)
    assert {r.level for r in rules} <= {"low", "medium", "high", "critical"}


def test_every_project_rule_has_positive_and_negative_samples() -> None:
    sids = {r.sid for r in load_project_rules()}
    sampled = {s.sid for s in load_samples()}
    assert sids - sampled == set(), "rules without samples"
    assert sampled - sids == set(), "samples for rules that do not exist"


def test_parse_rule_reads_options_with_escaped_semicolons() -> None:
    rule = parse_rule(GOOD, "x.rules", 3)
    assert (rule.sid, rule.rev, rule.msg, rule.level) == (9100999, 2, "SOC TEST x", "high")
    assert rule.metadata["mitre_technique_id"] == ["T1190"]
    assert ("content", '"a\\;b"') in split_options(GOOD[GOOD.index("(") + 1 : -1])
    assert check_project_rules([rule]) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a rule at all", "not a Suricata rule"),
        ('alert tcp any any -> any any (msg:"SOC x"; sid:abc;)', "numeric sid"),
        ('alert tcp any any -> any any (msg:"SOC x"; sid:9100001', "not a Suricata rule"),
        ('alert tcp any any -> any any (msg:"SOC x"; sid:9100001; rev:1)', "must end with ';'"),
    ],
)
def test_bad_rule_lines_fail_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ContentError, match=message) as caught:
        parse_rule(text, "site.rules", 7)
    assert (caught.value.source, caught.value.line) == ("site.rules", 7)


def test_content_checks_report_every_problem(tmp_path: Path) -> None:
    bad = (
        'alert tcp any any -> any any (msg:"no prefix"; sid:123; rev:0;)\n'
        "# a comment\n\n" + GOOD + "\n" + GOOD + "\n"
    )
    (tmp_path / "bad.rules").write_text(bad)
    problems = check_project_rules(read_rules(tmp_path / "bad.rules"))
    text = "\n".join(problems)
    for expected in (
        "SID outside",
        "rev must be",
        "msg must start",
        "classtype missing",
        "soc_level",
        "mitre_technique_id",
        "sid 9100999 used twice",
    ):
        assert expected in text
    with pytest.raises(ContentError):
        load_project_rules(tmp_path)


def test_sample_specs_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "samples.yaml"
    path.write_text(
        "- sid: 9100001\n  positive:\n    - {http: {uri: /a}, dns: {name: x.vn}}\n"
        "  negative:\n    - {http: {uri: /b}}\n"
    )
    with pytest.raises(ContentError, match="exactly one of http, tcp or dns"):
        load_samples(path)
    path.write_text("- sid: 1\n  positive: []\n  negative: []\n")
    with pytest.raises(ContentError, match="sid 1"):
        load_samples(path)
