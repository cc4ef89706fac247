"""Rule discovery and compilation: broken files are reported with file and line, not fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from detections.yara.cache import load_rule_set
from detections.yara.rulesets import RuleRoot, compile_rule_files, rule_roots, select_rule_files
from detections.yara.scanner import FileScanner, ScanReport
from detections.yara.settings import YaraSettings
from tests.detections.yara.samples import eicar

GOOD = 'rule good_{n} {{ strings: $a = "marker-{n}" condition: $a }}\n'


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_broken_files_are_left_out_and_reported_with_line(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "rules",
        {
            "a.yar": GOOD.format(n=1),
            "b.yar": 'rule bad_b { strings: $a = "x" condition: $b }\n',
            "c/d.yara": GOOD.format(n=2),
            "c/e.yar": "\n\nrule bad_e { condition: nonsense_identifier }\n",
            "f.yar": GOOD.format(n=3),
            "notes.txt": "not a rule file",
        },
    )
    selection = select_rule_files([RuleRoot("t", root)], max_files=100, max_file_bytes=10_000)
    rules, good, failures = compile_rule_files(selection.files)
    assert rules is not None
    assert sorted(f.namespace for f in good) == ["t/a.yar", "t/c/d.yara", "t/f.yar"]
    assert {(Path(f.path).name, f.line) for f in failures} == {("b.yar", 1), ("e.yar", 3)}
    assert all(f.reason for f in failures)
    assert sorted(r.identifier for r in rules) == ["good_1", "good_2", "good_3"]


def test_rule_needing_external_variables_compiles_and_reads_the_file_name(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "rules",
        {"ext.yar": "rule by_name { condition: filename matches /^invoice.*\\.exe$/ }\n"},
    )
    loaded = load_rule_set([RuleRoot("t", root)], YaraSettings())
    assert loaded.failures == ()
    scanner = FileScanner(loaded, YaraSettings())
    hit = tmp_path / "invoice-2026.exe"
    miss = tmp_path / "report.pdf"
    for path in (hit, miss):
        path.write_bytes(b"MZ")
    names = [e["file"]["name"] for e in scanner.scan([hit, miss], ScanReport())]
    assert names == ["invoice-2026.exe"]


def test_limits_on_rule_files_and_missing_paths_are_failures(tmp_path: Path) -> None:
    root = _tree(tmp_path / "r", {f"{n}.yar": GOOD.format(n=n) for n in range(5)})
    (root / "0big.yar").write_text("// " + "x" * 5000)
    selection = select_rule_files(
        [RuleRoot("gone", tmp_path / "absent"), RuleRoot("t", root)],
        max_files=3,
        max_file_bytes=2000,
    )
    assert len(selection.files) == 3
    reasons = [f.reason for f in selection.failures]
    assert any("larger than 2000" in r for r in reasons)
    assert any("more than 3 rule files" in r for r in reasons)
    assert any("does not exist" in r for r in reasons)


def test_include_directives_are_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path / "r", {"i.yar": 'include "/etc/passwd"\n', "g.yar": GOOD.format(n=1)})
    loaded = load_rule_set([RuleRoot("t", root)], YaraSettings())
    assert [Path(f.path).name for f in loaded.failures] == ["i.yar"]
    assert "include" in loaded.failures[0].reason
    assert loaded.rule_count == 1


def test_rule_roots_name_external_sets_after_their_folder(tmp_path: Path) -> None:
    a = tmp_path / "signature-base" / "yara"
    b = tmp_path / "other" / "signature-base"
    roots = rule_roots([a, b, tmp_path / "one.yar"])
    assert [r.name for r in roots] == ["soc", "signature-base", "signature-base-2", "one"]
    assert rule_roots([a], include_project=False)[0].name == "signature-base"


def test_signature_base_loads_with_counts_and_finds_eicar(datasets: Path, tmp_path: Path) -> None:
    folder = datasets / "yara-signature-base-dev" / "yara"
    if not folder.is_dir():
        pytest.skip("yara-signature-base-dev is not present")
    on_disk = sum(1 for p in folder.rglob("*") if p.suffix.lower() in (".yar", ".yara"))
    loaded = load_rule_set(rule_roots([folder]), YaraSettings(), tmp_path / "cache")
    by_set = loaded.files_by_ruleset()
    failed = sum(1 for f in loaded.failures if str(folder) in f.path)
    assert by_set["yara-signature-base-dev"] + failed == on_disk
    assert loaded.rule_count > 1000
    sample = tmp_path / "eicar.com"
    sample.write_bytes(eicar())
    events = list(FileScanner(loaded, YaraSettings()).scan([sample], ScanReport()))
    hits = {(e["rule"]["ruleset"], e["rule"]["name"]) for e in events}
    # the dataset's reference/expectations.md: exactly one signature-base rule, SUSP_Just_EICAR
    assert hits == {("yara-signature-base-dev", "SUSP_Just_EICAR"), ("soc", "SOC_Test_EICAR")}
