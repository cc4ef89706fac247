"""SIGKILL `soc collect` mid-way through a large tailed file, restart: every line exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

LINES = 60_000
ROOT = Path(__file__).resolve().parents[2]


def count_events(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def start(home: Path, config: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "soc.cli.main", "--home", str(home), "--config", str(config),
               "collect"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
def test_sigkill_mid_file_then_restart_ingests_every_line_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    log = tmp_path / "big.log"
    with log.open("w") as out:
        for i in range(LINES):
            out.write(f"Mar  1 10:{i // 3600 % 60:02d}:{i % 60:02d} h app[{i}]: line {i}\n")
    config = tmp_path / "soc.toml"
    config.write_text(
        "[ingest]\nbatch_size = 500\n\n"
        f'[[sources]]\nname = "big"\ntype = "file"\nsource_type = "syslog"\npath = "{log}"\n'
        "from_beginning = true\n"
    )
    db = home / "events.db"
    first = start(home, config)
    try:
        assert wait_for(lambda: count_events(db) > 0, 60), first.stderr
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    killed_at = count_events(db)
    assert 0 < killed_at < LINES, "the kill must land in the middle of the file"
    second = start(home, config)
    try:
        assert wait_for(lambda: count_events(db) >= LINES, 120)
        time.sleep(1.5)  # a further poll must not add anything
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, second.stderr.read() if second.stderr else ""
    finally:
        if second.poll() is None:
            second.kill()
    assert count_events(db) == LINES
