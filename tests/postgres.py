"""A real PostgreSQL server for the tests: initdb in a temporary directory, on a free port.

As root the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root).
Skips when the server binaries are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _pg_bin() -> Path | None:
    for candidate in PG_BIN_CANDIDATES:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, running PostgreSQL server; stop it afterwards."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="soc-pg-"))
    data, sockets = root / "data", root / "run"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()

    def run(*cmd: str) -> None:
        subprocess.run(
            _as_server_user([str(pg_bin / cmd[0]), *cmd[1:]]),
            check=True,
            capture_output=True,
            text=True,
            cwd=root,
        )

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "soc", "-E", "UTF8", "--no-sync")
        opts = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(root / "server.log"), "-w", "start")
        yield f"postgresql+psycopg://soc@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            cwd=root,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
