"""Shared by the command-line error tests: a mistake must give one clear line, no traceback."""

from __future__ import annotations

import pytest

from soc.cli.main import main


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 2) -> str:
    """Run ``soc ARGV``; assert it exits with ``code`` and one line on stderr, and return it."""
    assert main(list(argv)) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err
