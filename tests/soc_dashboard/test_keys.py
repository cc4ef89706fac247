"""Console secrets: created once, private, stable across starts."""

from __future__ import annotations

import stat
from pathlib import Path

from soc_dashboard.keys import console_key, read_secret, write_secret


def test_console_key_is_created_private_and_stable(tmp_path: Path) -> None:
    key = console_key(tmp_path)
    path = tmp_path / "secrets" / "console.key"
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert console_key(tmp_path) == key


def test_loosened_secret_files_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "s"
    assert write_secret(path, "value\n")
    path.chmod(0o644)
    assert read_secret(path) == "value"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_secrets_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s"
    assert write_secret(path, "first")
    assert not write_secret(path, "second")
    assert read_secret(path) == "first"
