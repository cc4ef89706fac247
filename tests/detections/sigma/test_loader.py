"""Loading rule trees: every problem reported with its file, the cache gives the same result."""

from __future__ import annotations

from pathlib import Path

from detections.sigma.loader import PROJECT_RULES, load_rules
from tests.detections.sigma.helpers import write_rule

GOOD = """
title: good
id: 0b0b0b0b-0000-0000-0000-000000000001
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4625}
    condition: sel
"""


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    write_rule(root, GOOD, "good.yml")
    write_rule(root, "title: [unclosed\n", "broken_yaml.yml")
    write_rule(root, GOOD.replace("condition: sel", "condition: nosuch"), "bad_condition.yml")
    write_rule(
        root,
        GOOD.replace("product: windows, service: security", "product: okta, service: okta").replace(
            "0001", "0002"
        ),
        "okta.yml",
    )
    write_rule(root, GOOD, "z_copy_of_good.yml")  # same id as good.yml
    write_rule(root, "title: samples\n", "good.tests.yml")  # samples are not rules
    return root


def test_report_lists_every_problem_with_its_file(tmp_path: Path) -> None:
    result = load_rules([_tree(tmp_path)])
    report = result.report
    assert report.loaded == 1 and report.files == 5
    reasons = {Path(i.path).name: (i.kind, i.reason) for i in report.issues}
    assert reasons["broken_yaml.yml"][0] == "failed"
    assert (
        reasons["bad_condition.yml"][0] == "failed" and "nosuch" in reasons["bad_condition.yml"][1]
    )
    assert reasons["okta.yml"] == (
        "skipped",
        "no dataset collects logsource product=okta, service=okta",
    )
    assert (
        reasons["z_copy_of_good.yml"][0] == "failed"
        and "duplicate rule id" in reasons["z_copy_of_good.yml"][1]
    )
    assert "1 loaded, 0 scheduled, 1 skipped, 3 failed" in report.summary()


def test_warm_cache_gives_the_same_rules(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    cold = load_rules([root], cache_dir=tmp_path / "cache")
    warm = load_rules([root], cache_dir=tmp_path / "cache")
    assert cold.report.cached == 0 and warm.report.cached == 5
    assert [r.to_json() for r in warm.rules] == [r.to_json() for r in cold.rules]
    assert [(i.path, i.reason) for i in warm.report.issues] == [
        (i.path, i.reason) for i in cold.report.issues
    ]


def test_cold_load_in_worker_processes_gives_the_same_rules(tmp_path: Path) -> None:
    from detections.sigma import loader

    root = _tree(tmp_path)
    for n in range(6):  # enough distinct files to cross the threshold below
        write_rule(root, GOOD.replace("0001", f"10{n:02d}"), f"more_{n}.yml")
    serial = load_rules([root], workers=1)
    original = loader.PARALLEL_FROM
    loader.PARALLEL_FROM = 2
    try:
        parallel = load_rules([root], workers=2)
    finally:
        loader.PARALLEL_FROM = original
    assert [r.to_json() for r in parallel.rules] == [r.to_json() for r in serial.rules]
    assert [i.reason for i in parallel.report.issues] == [i.reason for i in serial.report.issues]


def test_cache_follows_content_not_name(tmp_path: Path) -> None:
    root = tmp_path / "r"
    path = write_rule(root, GOOD, "a.yml")
    load_rules([root], cache_dir=tmp_path / "cache")
    path.write_text(GOOD.replace("4625", "4624"), encoding="utf-8")
    again = load_rules([root], cache_dir=tmp_path / "cache")
    assert again.report.cached == 0
    assert again.rules[0].event_ids == ("4624",)


def test_correlations_are_set_aside_for_scheduled_mode(tmp_path: Path) -> None:
    body = (
        GOOD
        + """---
title: many failures
id: 0b0b0b0b-0000-0000-0000-000000000009
correlation:
    type: event_count
    rules: [0b0b0b0b-0000-0000-0000-000000000001]
    group-by: [TargetUserName]
    timespan: 5m
    condition: {gte: 5}
"""
    )
    root = tmp_path / "c"
    write_rule(root, body, "corr.yml")
    result = load_rules([root])
    assert result.correlation_files == [root / "corr.yml"]
    assert not result.report.skipped
    assert sorted(i.reason for i in result.report.scheduled) == [
        "correlation rule: runs scheduled",
        "used by a correlation (generate: false): not alerted on its own",
    ]
    assert not result.rules  # its one rule only feeds the correlation
    kept = load_rules([root], keep_correlation_bases=True)
    assert [r.info.id for r in kept.rules] == ["0b0b0b0b-0000-0000-0000-000000000001"]


def test_project_rules_all_load() -> None:
    result = load_rules([PROJECT_RULES])
    assert not result.report.failed, [(i.path, i.reason) for i in result.report.failed]
    assert not result.report.skipped or all(
        "correlation" in i.reason for i in result.report.skipped
    )
