"""Policy and compliance commands: mistakes give one clear line, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from policies.cli import evaluation_moment
from policies.facts import FactsContext
from policies.report import write_report
from soc.errors import PolicyError, SocError
from tests.cli_support import one_line_error

# -- compliance report ----------------------------------------------------------------------


def test_a_report_into_a_missing_directory_or_onto_a_directory_says_so(tmp_path: Path) -> None:
    report = {"agency": {"id": "dng-ubnd"}}
    with pytest.raises(SocError, match=r"x.json: cannot write the report: No such file"):
        write_report(report, "json", tmp_path / "missing" / "x.json")
    with pytest.raises(SocError, match="cannot write the report: is a directory"):
        write_report(report, "json", tmp_path)


def test_a_report_of_an_unknown_run_names_the_run(
    demo_assets_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_error(capsys, "compliance", "report", "--agency", "dng-ubnd", "--run", "run-x")
    assert "unknown compliance run: 'run-x'" in err


# -- policy eval --date -----------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_dates_outside_the_evaluated_range_are_refused(
    day: str, capsys: pytest.CaptureFixture[str], soc_home: Path
) -> None:
    err = one_line_error(capsys, "policy", "eval", "--date", day)
    assert f"--date {day} is out of range" in err and "2000-01-01 to 2100-12-31" in err


def test_the_ends_of_the_range_are_evaluation_moments() -> None:
    now = datetime(2200, 1, 1, tzinfo=UTC)
    assert evaluation_moment("2000-01-01", now).isoformat() == "2000-01-01T23:59:59+07:00"
    assert evaluation_moment("2100-12-31", now).isoformat() == "2100-12-31T23:59:59+07:00"
    with pytest.raises(SocError, match="out of range"):
        evaluation_moment("9999-12-31T23:00:00+00:00", now)


def test_facts_are_never_built_for_a_moment_outside_the_range() -> None:
    with pytest.raises(PolicyError, match="cannot evaluate as of 0001-01-01"):
        FactsContext(at=datetime(1, 1, 1, tzinfo=UTC), profile="current")
    assert FactsContext(at=datetime(2026, 11, 20, tzinfo=UTC), profile="current").window_hours


def test_policy_tests_of_a_missing_directory_say_so(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_error(capsys, "policy", "test", "--path", str(tmp_path / "nope"))
    assert f"no such policy directory: {tmp_path / 'nope'}" in err
