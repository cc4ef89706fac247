"""Mistakes on the command line give one clear line, never a traceback (review findings):
the data directory, ingest, assets, counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc.cli.main import main
from tests.cli_support import one_line_error

# -- the data directory -----------------------------------------------------------------------


def test_a_data_directory_that_cannot_be_made_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    err = one_line_error(capsys, "--home", str(a_file), "status")
    assert f"{a_file}: cannot use the data directory: not a directory" in err
    for command in (["status"], ["assets", "list"], ["policy", "eval"]):
        err = one_line_error(capsys, "--home", str(a_file / "below"), *command)
        assert "cannot use the data directory" in err


# -- ingest, assets, policy test, --limit ------------------------------------------------------


def test_ingesting_a_directory_says_it_is_a_directory(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_error(capsys, "ingest", "--source-type", "syslog", str(tmp_path))
    assert f"is a directory, not a file: {tmp_path}" in err


def test_listing_the_systems_of_an_unknown_agency_says_so(
    demo_assets_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_line_error(capsys, "assets", "list", "--agency", "nope")
    assert "unknown agency: 'nope'" in err
    assert main(["assets", "list", "--agency", "dng-ubnd"]) == 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["events", "search", "--limit", "abc"], "expected a whole number from 1 to 100000"),
        (["dead-letters", "--limit", "0"], "must be from 1 to 100000, got 0"),
        (["store", "purge", "--days", "x"], "expected a whole number from 1 to 100000"),
    ],
)
def test_a_bad_count_is_explained_without_naming_code(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "_positive" not in err and "whole_number" not in err
