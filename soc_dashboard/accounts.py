"""Console accounts in the state database: hashed passwords, roles, bootstrap and demo users."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from soc.ecs import utc_now
from soc.errors import AuthError
from soc.state.db import StateDB
from soc.state.models import User
from soc_dashboard import audit
from soc_dashboard.keys import ADMIN_PASSWORD_FILE, secrets_dir, write_secret
from soc_dashboard.roles import check_role

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # scrypt work grows with input: refuse absurd inputs before hashing
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
BOOTSTRAP_ADMIN = "admin"

# Demo mode only (``soc up --demo``): documented in the README so a visitor can sign in.
DEMO_PASSWORD = "soc-demo-2026"
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("analyst", "analyst", "Chuyên viên trực ca (demo)"),
    ("admin", "admin", "Quản trị viên (demo)"),
    ("auditor", "auditor", "Kiểm tra tuân thủ (demo)"),
    ("drill", "drill_leader", "Chỉ huy diễn tập (demo)"),
)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username):
        raise AuthError(
            f"invalid username {username!r}",
            hint="2-64 characters: lower-case letters, digits, '.', '_' or '-'",
        )
    return username


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password too short (at least {MIN_PASSWORD_LENGTH} characters)")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"password too long (at most {MAX_PASSWORD_LENGTH} characters)")
    if username and password.lower() == username.lower():
        raise AuthError("the password must differ from the username")


def password_version(user: User) -> str:
    """A short fingerprint of the stored hash: sessions made before a password change expire."""
    return hashlib.blake2b(user.password_hash.encode(), digest_size=8).hexdigest()


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def _require_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise AuthError(f"no user {username!r}", hint="list accounts with `soc users list`")
    return user


def add_user(
    session: Session, username: str, password: str, role: str, *, actor: str, display_name: str = ""
) -> User:
    check_username(username)
    check_role(role)
    check_password_strength(password, username)
    if find_user(session, username) is not None:
        raise AuthError(f"user {username!r} already exists", hint="use `soc users passwd`")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name[:255],
        active=True,
    )
    session.add(user)
    audit.record(session, actor, "user.add", username, role=role)
    return user


def set_password(session: Session, username: str, password: str, *, actor: str) -> User:
    user = _require_user(session, username)
    check_password_strength(password, username)
    user.password_hash = hash_password(password)
    audit.record(session, actor, "user.passwd", username)
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> User:
    user = _require_user(session, username)
    user.active = active
    audit.record(session, actor, "user.enable" if active else "user.disable", username)
    return user


def list_users(session: Session, limit: int = 1000) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username).limit(limit)))


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None; same cost whether or not they exist."""
    if len(password) > MAX_PASSWORD_LENGTH or len(username) > 64:
        return None
    user = find_user(session, username)
    if user is None or not user.active:
        check_password_hash(_decoy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login = utc_now()
    return user


def _count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def ensure_bootstrap_admin(
    state: StateDB, home: Path, *, announce: Callable[[str], None] | None = print
) -> Path | None:
    """With no account at all, create ``admin`` with a random password written to a 0600 file.

    Returns that file's path (announced: the path only, never the password), or None when
    accounts already exist.
    """
    with state.session() as session:
        if _count_users(session) > 0:
            return None
        path = secrets_dir(home) / ADMIN_PASSWORD_FILE
        password = secrets.token_urlsafe(18)
        path.unlink(missing_ok=True)  # a stale file from an earlier, deleted database
        write_secret(path, password + "\n")
        session.add(
            User(
                username=BOOTSTRAP_ADMIN,
                password_hash=hash_password(password),
                role="admin",
                display_name="Quản trị viên",
            )
        )
        audit.record(session, "system", "user.bootstrap", BOOTSTRAP_ADMIN, role="admin")
    if announce is not None:
        announce(f"console account 'admin' created; its password is in {path}")
    return path


def ensure_demo_users(state: StateDB) -> list[str]:
    """Demo mode only: create the demo accounts that are missing, all with ``DEMO_PASSWORD``.

    Existing accounts are left as they are (their passwords are not reset). Returns the
    usernames created.
    """
    created: list[str] = []
    with state.session() as session:
        for username, role, display_name in DEMO_USERS:
            if find_user(session, username) is not None:
                continue
            session.add(
                User(
                    username=username,
                    password_hash=hash_password(DEMO_PASSWORD),
                    role=role,
                    display_name=display_name,
                )
            )
            audit.record(session, "system", "user.demo", username, role=role)
            created.append(username)
    return created
