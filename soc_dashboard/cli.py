"""``soc users``: console accounts (add, list, passwd, disable, enable), audited as the OS user."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from typing import TextIO

from soc.config import Settings
from soc.errors import AuthError
from soc.state.db import StateDB, open_state
from soc_dashboard import accounts
from soc_dashboard.i18n import format_time, zone_of
from soc_dashboard.roles import ROLES


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"cli:uid{os.getuid()}"


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """One line from stdin (scripts), or typed twice without echo (people)."""
    stream = stdin or sys.stdin
    if from_stdin:
        line = stream.readline()
        if not line:
            raise AuthError("no password on standard input")
        return line.rstrip("\r\n")
    if not stream.isatty():
        raise AuthError("no terminal to type a password", hint="pipe it with --password-stdin")
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Repeat: ") != first:
        raise AuthError("the two passwords differ")
    return first


def _state(settings: Settings) -> StateDB:
    return open_state(settings.state_url)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password(args.password_stdin)
    state = _state(settings)
    try:
        with state.session() as s:
            accounts.add_user(
                s, args.username, password, args.role, actor=_actor(), display_name=args.name or ""
            )
    finally:
        state.close()
    print(f"user {args.username} added ({args.role})")
    return 0


def _passwd(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password(args.password_stdin)
    state = _state(settings)
    try:
        with state.session() as s:
            accounts.set_password(s, args.username, password, actor=_actor())
    finally:
        state.close()
    print(f"password of {args.username} changed; its open console sessions end")
    return 0


def _set_active(active: bool) -> Callable[[argparse.Namespace, Settings], int]:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        state = _state(settings)
        try:
            with state.session() as s:
                accounts.set_active(s, args.username, active, actor=_actor())
        finally:
            state.close()
        print(f"user {args.username} {'enabled' if active else 'disabled'}")
        return 0

    return handler


def _list(args: argparse.Namespace, settings: Settings) -> int:
    tz = zone_of(settings.console.timezone)
    state = _state(settings)
    try:
        with state.session() as s:
            users = [
                {
                    "username": u.username,
                    "role": u.role,
                    "active": u.active,
                    "display_name": u.display_name,
                    "last_login": format_time(u.last_login, tz, "en") or None,
                }
                for u in accounts.list_users(s)
            ]
    finally:
        state.close()
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False, indent=2))
        return 0
    print(f"{'USERNAME':<20} {'ROLE':<13} {'ACTIVE':<7} LAST LOGIN ({tz.key})")
    for u in users:
        active = "yes" if u["active"] else "no"
        print(f"{u['username']:<20} {u['role']:<13} {active:<7} {u['last_login'] or '-'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="console accounts (add, list, passwd, disable, enable)")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", help="display name, e.g. 'Nguyễn Văn A'")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_add)

    passwd = actions.add_parser("passwd", help="set a new password (ends open sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(handler=_passwd)

    disable = actions.add_parser("disable", help="refuse sign-in (ends open sessions)")
    disable.add_argument("username")
    disable.set_defaults(handler=_set_active(False))

    enable = actions.add_parser("enable", help="allow sign-in again")
    enable.add_argument("username")
    enable.set_defaults(handler=_set_active(True))

    listing = actions.add_parser("list", help="list accounts")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=_list)
