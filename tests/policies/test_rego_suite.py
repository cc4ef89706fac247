"""``soc policy test`` in CI: every test_ rule of the shipped _test.rego files passes, and the
runner really reports failures, errors and the regopy pitfall it lints for."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.regotest import lint, run_tests
from soc.cli.main import main

POLICY = "package demo.p\n\nimport rego.v1\n\ndefault ok := false\n\nok if input.n > 1\n"


def test_the_shipped_policies_pass_their_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test"]) == 0
    out = capsys.readouterr().out
    assert "levels/requirements_test.rego ." in out
    last = out.strip().splitlines()[-1]
    assert " passed in " in last and "failed" not in last and "error" not in last


def _write(root: Path, tests: str) -> Path:
    (root / "demo").mkdir(parents=True)
    (root / "demo" / "p.rego").write_text(POLICY, encoding="utf-8")
    (root / "demo" / "p_test.rego").write_text(tests, encoding="utf-8")
    return root


def test_failures_and_offenders_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _write(
        tmp_path,
        "package demo.p_test\n\nimport rego.v1\n\nimport data.demo.p\n\n"
        "test_two_is_ok if p.ok with input.n as 2\n\n"
        "test_one_is_ok if p.ok with input.n as 1\n\n"
        "test_one_is_ok_offenders := [1]\n",
    )
    assert main(["policy", "test", "--path", str(root), "-v"]) == 1
    out = capsys.readouterr().out
    assert "demo/p_test.rego::test_two_is_ok PASSED" in out
    assert "demo/p_test.rego::test_one_is_ok: FAILED: undefined; offenders: [1]" in out
    assert "1 failed, 1 passed" in out


def test_errors_name_the_module_and_line(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "package demo.p_test\n\nimport rego.v1\n\n"
        "test_broken if { x := [1 |\n  some k, v in input\n] }\n",
    )
    with pytest.raises(Exception, match=r"p_test.rego"):
        run_tests(root)


def test_keyword_selects_tests(tmp_path: Path) -> None:
    root = _write(
        tmp_path, "package demo.p_test\n\nimport rego.v1\n\ntest_a if true\n\ntest_b if false\n"
    )
    results = run_tests(root, keyword="test_a")
    assert [(r.name, r.outcome) for r in results] == [("test_a", "passed")]


def test_a_keyword_nothing_matches_compiles_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The policy does not compile: were it compiled, the run would raise instead of answering.
    root = _write(tmp_path, "package demo.p_test\n\nimport rego.v1\n\ntest_a if { x := [1 |\n}\n")
    assert run_tests(root, keyword="no_such_test") == []
    assert main(["policy", "test", "--path", str(root), "-k", "no_such_test"]) == 1
    assert "no tests ran" in capsys.readouterr().out


def test_lint_flags_with_on_a_package_rule(tmp_path: Path) -> None:
    path = tmp_path / "x_test.rego"
    path.write_text(
        'package x_test\n\nimport rego.v1\n\nfixture := {"n": 2}\n\n'
        "test_bad if data.demo.p.ok with input.n as fixture\n\n"
        "test_good if {\n\tf := fixture\n\tdata.demo.p.ok with input.n as f.n\n}\n",
        encoding="utf-8",
    )
    assert lint(path) == ["line 7: 'with ... as fixture' names a package rule"]
