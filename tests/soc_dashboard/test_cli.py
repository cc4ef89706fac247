"""``soc users``: accounts from the command line, audited, with one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from soc.cli.main import main
from soc.config import load_settings
from soc.state.db import open_state
from soc.state.models import AuditEntry
from soc_dashboard.accounts import authenticate


def run(home: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--home", str(home), "users", *args])


def test_add_list_passwd_disable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert (
        run(
            home,
            "add",
            "nguyen.a",
            "--role",
            "analyst",
            "--name",
            "Nguyễn Văn A",
            "--password-stdin",
            stdin="mật-khẩu-đủ-dài\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert (
        run(
            home,
            "passwd",
            "nguyen.a",
            "--password-stdin",
            stdin="một-mật-khẩu-mới\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert run(home, "disable", "nguyen.a", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(home, "list", "--format", "json", monkeypatch=monkeypatch) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {
            "username": "nguyen.a",
            "role": "analyst",
            "active": False,
            "display_name": "Nguyễn Văn A",
            "last_login": None,
        }
    ]
    state = open_state(load_settings(home=home).state_url)
    with state.session() as s:
        assert authenticate(s, "nguyen.a", "một-mật-khẩu-mới") is None  # disabled
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        actors = {e.actor for e in s.scalars(select(AuditEntry))}
    state.close()
    assert actions == ["user.add", "user.passwd", "user.disable"]
    assert all(a.startswith("cli:") for a in actors)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "x1", "--role", "analyst", "--password-stdin"), "short\n", "too short"),
        (("add", "x1", "--role", "analyst"), "", "no terminal"),
        (("passwd", "ghost", "--password-stdin"), "long-enough-pass\n", "no user 'ghost'"),
        (("disable", "ghost"), "", "no user 'ghost'"),
    ],
)
def test_mistakes_are_one_line_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    assert run(tmp_path, *args, stdin=stdin, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_table_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        tmp_path,
        "add",
        "lan",
        "--role",
        "auditor",
        "--password-stdin",
        stdin="long-enough-password\n",
        monkeypatch=monkeypatch,
    )
    capsys.readouterr()
    assert run(tmp_path, "list", monkeypatch=monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("USERNAME") and "Asia/Ho_Chi_Minh" in lines[0]
    assert lines[1].split() == ["lan", "auditor", "yes", "-"]
