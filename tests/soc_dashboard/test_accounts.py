"""Accounts: hashed passwords, validation, bootstrap admin and demo users."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from soc.errors import AuthError
from soc.state.db import StateDB
from soc.state.models import AuditEntry, User
from soc_dashboard.accounts import (
    DEMO_PASSWORD,
    add_user,
    authenticate,
    ensure_bootstrap_admin,
    ensure_demo_users,
    find_user,
    password_version,
    set_active,
    set_password,
)


def test_passwords_are_stored_as_scrypt_hashes(state: StateDB) -> None:
    with state.session() as s:
        add_user(s, "nguyen.a", "mật-khẩu-đủ-dài", "analyst", actor="test")
    with state.session() as s:
        user = find_user(s, "nguyen.a")
        assert user is not None
        assert user.password_hash.startswith("scrypt:")
        assert "mật-khẩu-đủ-dài" not in user.password_hash
        assert authenticate(s, "nguyen.a", "mật-khẩu-đủ-dài") is user
        assert authenticate(s, "nguyen.a", "mật-khẩu-sai-rồi") is None
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert actions == ["user.add"]


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("Upper", "long-enough-password", "analyst"),
        ("a", "long-enough-password", "analyst"),
        ("bad name", "long-enough-password", "analyst"),
        ("short", "2short", "analyst"),
        ("samename1", "samename1", "analyst"),
        ("toolong", "x" * 300, "analyst"),
        ("norole", "long-enough-password", "superuser"),
    ],
)
def test_invalid_accounts_are_refused(
    state: StateDB, username: str, password: str, role: str
) -> None:
    with state.session() as s, pytest.raises(AuthError):
        add_user(s, username, password, role, actor="test")


def test_duplicate_usernames_are_refused(state: StateDB) -> None:
    with state.session() as s:
        add_user(s, "dup", "long-enough-password", "analyst", actor="test")
    with state.session() as s, pytest.raises(AuthError, match="already exists"):
        add_user(s, "dup", "long-enough-password", "admin", actor="test")


def test_disabled_users_cannot_authenticate(state: StateDB) -> None:
    with state.session() as s:
        add_user(s, "tam", "long-enough-password", "analyst", actor="test")
        set_active(s, "tam", False, actor="test")
    with state.session() as s:
        assert authenticate(s, "tam", "long-enough-password") is None


def test_password_change_changes_the_session_fingerprint(state: StateDB) -> None:
    with state.session() as s:
        user = add_user(s, "lan", "long-enough-password", "analyst", actor="test")
        before = password_version(user)
        set_password(s, "lan", "another-long-password", actor="test")
        assert password_version(user) != before
        assert authenticate(s, "lan", "another-long-password") is user


def test_bootstrap_admin_once_with_a_private_password_file(state: StateDB, tmp_path: Path) -> None:
    said: list[str] = []
    path = ensure_bootstrap_admin(state, tmp_path, announce=said.append)
    assert path == tmp_path / "secrets" / "admin-password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().strip()
    assert len(password) >= 20
    assert said and str(path) in said[0] and password not in said[0]
    with state.session() as s:
        admin = authenticate(s, "admin", password)
        assert admin is not None and admin.role == "admin"
    assert ensure_bootstrap_admin(state, tmp_path, announce=said.append) is None
    assert path.read_text().strip() == password
    assert len(said) == 1


def test_no_bootstrap_admin_when_accounts_exist(state: StateDB, tmp_path: Path) -> None:
    with state.session() as s:
        add_user(s, "first", "long-enough-password", "analyst", actor="test")
    assert ensure_bootstrap_admin(state, tmp_path, announce=None) is None
    assert not (tmp_path / "secrets" / "admin-password").exists()


def test_demo_users_are_created_once_and_never_reset(state: StateDB, tmp_path: Path) -> None:
    path = ensure_bootstrap_admin(state, tmp_path, announce=None)
    assert path is not None
    created = ensure_demo_users(state)
    assert created == ["analyst", "auditor", "drill"]  # "admin" existed: left alone
    assert ensure_demo_users(state) == []
    with state.session() as s:
        assert authenticate(s, "analyst", DEMO_PASSWORD) is not None
        assert authenticate(s, "admin", DEMO_PASSWORD) is None
        assert authenticate(s, "admin", path.read_text().strip()) is not None
        roles = {name: role for name, role in s.execute(select(User.username, User.role))}
    assert roles["drill"] == "drill_leader"
