"""Linux authentication messages (sshd, sudo, su, PAM, account changes) → ECS ``linux.auth``."""

from __future__ import annotations

import re
from collections.abc import Callable

from collectors.addresses import ip_text
from collectors.syslog_header import SyslogHeader
from collectors.syslog_routing import ProgramParser
from soc.ecs import Event, set_field

_SSH_LOGIN = re.compile(
    r"(Accepted|Failed) (\S+) for (invalid user )?(\S*?) from (\S+) port (\d+)(?: (ssh\d?))?"
)
_SSH_INVALID = re.compile(r"(?:[Ii]nvalid|illegal) user (\S*) from (\S+)(?: port (\d+))?")
_SSH_PAM_ERROR = re.compile(r"error: PAM: .* for (?:illegal user )?(\S+) from (\S+)")
_SSH_PEER = re.compile(r"(?:Read error from remote host|^Address) (\S+?)[: ]")
_SOLARIS_ID = re.compile(r"\[ID \d+ [\w.]+\] ")
_SSH_NOT_ALLOWED = re.compile(r"User (\S+) from (\S+) not allowed because")
_SSH_MAX_TRIES = re.compile(
    r"(?:error: )?maximum authentication attempts exceeded for (?:invalid user )?(\S+) "
    r"from (\S+) port (\d+)"
)
_SSH_CONN = re.compile(
    r"(?:Connection closed by|Disconnected from|Received disconnect from|Connection reset by|"
    r"Did not receive identification string from|Bad protocol version identification .* from|"
    r"Unable to negotiate with|Timeout before authentication for|Disconnecting)"
    r"(?: (?:authenticating |invalid )?user (\S+))? (\S+?)(?: port (\d+))?(?:[: ]|$)"
)
_SSH_REVERSE = re.compile(r"reverse mapping checking getaddrinfo for (\S+) \[(\S+)\]")
_PAM = re.compile(r"pam_unix\(([^:)]+):(\w+)\): (.*)")
_PAM_FAIL = re.compile(r"authentication failures?;.*?ruser=(\S*) rhost=(\S*)(?:\s+user=(\S+))?")
_SESSION = re.compile(r"session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by |$)")
_SUDO = re.compile(
    r"\s*(\S+) : (?:(.*?) ; )?TTY=(\S+) ; PWD=(.*?) ; USER=(\S+) ;(?:.*? ;)? COMMAND=(.*)$"
)
_SU_BAD = re.compile(r"(?:BAD SU|FAILED SU) (?:\(to (\S+)\) )?(\S+)(?: to (\S+))? on (\S+)")
_SU_FAILED = re.compile(r"failed: (\S+) changing from (\S+) to (\S+)")
_SU_OK = re.compile(r"(?:\(to (\S+)\) (\S+)|(\S+) to (\S+)) on (\S+)$")
_SU_BY = re.compile(r"(Successful|FAILED) su for (\S+) by (\S+)")
_NEW_USER = re.compile(r"new user: name=([^,\s]+)")
_NEW_GROUP = re.compile(r"new group: name=([^,\s]+)")
_DEL_USER = re.compile(r"delete user '([^']+)'")


def _ip_or_domain(event: Event, side: str, value: str | None) -> None:
    if not value or value == "-":
        return
    value = value.removeprefix("::ffff:")
    address = ip_text(value)
    node = event.get(side)
    if not isinstance(node, dict):
        node = event[side] = {}
    if address is None:
        node["domain"] = value
    else:
        node["ip"] = address


_TYPES = {"authentication": "start", "session": "start", "iam": "user"}


def _auth(event: Event, outcome: str, action: str, category: str = "authentication") -> None:
    fields = event["event"]
    fields["category"] = [category]
    fields["type"] = [_TYPES.get(category, "info")]
    fields["outcome"] = outcome
    fields["action"] = action


def _user(event: Event, name: str | None) -> None:
    if name and name != "-" and name != "unknown":
        user = event.get("user")
        if isinstance(user, dict):
            user["name"] = name
        else:
            event["user"] = {"name": name}


def _sshd(event: Event, message: str) -> bool:
    if prefix := _SOLARIS_ID.match(message):
        message = message[prefix.end() :]
    if m := _SSH_LOGIN.match(message):
        result, method, invalid, user, ip, port, _ = m.groups()
        _auth(event, "success" if result == "Accepted" else "failure", "ssh_login")
        _user(event, user)
        _ip_or_domain(event, "source", ip)
        set_field(event, "source.port", int(port))
        set_field(event, "linux.auth.ssh.method", method)
        if invalid:
            set_field(event, "linux.auth.ssh.invalid_user", True)
        return True
    for pattern, action, needle, other in _SSH_FAILURES:
        if (needle in message or other in message) and (m := pattern.search(message)):
            _auth(event, "failure", action)
            _user(event, m.group(1))
            _ip_or_domain(event, "source", m.group(2))
            if pattern.groups >= 3 and m.group(3):
                set_field(event, "source.port", int(m.group(3)))
            return True
    return _sshd_connection(event, message)


# Each pattern with two texts it cannot match without either: most lines skip the search.
_SSH_FAILURES = (
    (_SSH_MAX_TRIES, "ssh_max_attempts", "authentication attempts exceeded", "exceeded for "),
    (_SSH_NOT_ALLOWED, "ssh_user_not_allowed", " not allowed because", " not allowed "),
    (_SSH_PAM_ERROR, "ssh_pam_error", "error: PAM: ", "error: PAM: "),
    (_SSH_INVALID, "ssh_invalid_user", "nvalid user ", "illegal user "),
)


def _sshd_connection(event: Event, message: str) -> bool:
    peer = "Read error from remote host " in message or message.startswith("Address ")
    if peer and (m := _SSH_PEER.search(message)):
        event["event"].update(category=["network"], type=["connection"], action="ssh_connection")
        _ip_or_domain(event, "source", m.group(1))
        return True
    if "reverse mapping checking getaddrinfo for " in message and (
        m := _SSH_REVERSE.search(message)
    ):
        event["event"].update(category=["network"], type=["connection"], action="ssh_reverse_dns")
        _ip_or_domain(event, "source", m.group(2))
        set_field(event, "source.domain", m.group(1))
        return True
    if m := _SSH_CONN.match(message.removeprefix("error: ").removeprefix("fatal: ")):
        user, ip, port = m.groups()
        event["event"].update(category=["network"], type=["connection"], action="ssh_connection")
        _user(event, user)
        _ip_or_domain(event, "source", ip.rstrip(":"))
        if port:
            set_field(event, "source.port", int(port))
        return True
    return False


def _pam(event: Event, message: str) -> bool:
    m = _PAM.search(message)
    text = m.group(3) if m else message
    if m:
        set_field(event, "linux.auth.pam.service", m.group(1))
        set_field(event, "linux.auth.pam.module_type", m.group(2))
    if f := _PAM_FAIL.search(text):
        ruser, rhost, user = f.groups()
        _auth(event, "failure", "pam_authentication_failure")
        _user(event, user or ruser)
        _ip_or_domain(event, "source", rhost)
        return True
    if s := _SESSION.search(text):
        opened = s.group(1) == "opened"
        event["event"].update(
            category=["session"], type=["start" if opened else "end"], action="session_" + s[1]
        )
        _user(event, s.group(2))
        return True
    if "check pass; user unknown" in text:
        _auth(event, "failure", "pam_user_unknown")
        return True
    return bool(m)


def _sudo(event: Event, message: str) -> bool:
    m = _SUDO.match(message)
    if not m:
        return False
    user, problem, tty, pwd, target, command = m.groups()
    _user(event, user)
    set_field(event, "user.effective.name", target)
    set_field(event, "process.command_line", command)
    set_field(event, "linux.auth.sudo", {"tty": tty, "pwd": pwd, "user": target})
    if problem:
        _auth(event, "failure", "sudo_denied")
        set_field(event, "event.reason", problem.strip())
    else:
        event["event"].update(category=["process"], type=["start"], outcome="success")
        event["event"]["action"] = "sudo_command"
    return True


def _su(event: Event, message: str) -> bool:
    if m := _SU_BAD.match(message):
        _auth(event, "failure", "su")
        _user(event, m.group(2))
        set_field(event, "user.target.name", m.group(1) or m.group(3) or "root")
        return True
    if m := _SU_FAILED.match(message):
        _auth(event, "failure", "su")
        _user(event, m.group(2))
        set_field(event, "user.target.name", m.group(3))
        return True
    if m := _SU_BY.match(message):
        _auth(event, "success" if m.group(1) == "Successful" else "failure", "su")
        _user(event, m.group(3))
        set_field(event, "user.target.name", m.group(2))
        return True
    if m := _SU_OK.match(message):
        target, user = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        _auth(event, "success", "su")
        _user(event, user)
        set_field(event, "user.target.name", target)
        return True
    return False


def _accounts(event: Event, message: str) -> bool:
    for pattern, action in (
        (_NEW_USER, "user_created"),
        (_NEW_GROUP, "group_created"),
        (_DEL_USER, "user_deleted"),
    ):
        if m := pattern.search(message):
            _auth(event, "success", action, category="iam")
            set_field(event, "user.target.name", m.group(1))
            return True
    if message.startswith("failed adding user"):
        _auth(event, "failure", "user_created", category="iam")
        return True
    return False


_BY_PROGRAM: dict[str, Callable[[Event, str], bool]] = {
    "sshd": _sshd,
    "sshd-session": _sshd,
    "sudo": _sudo,
    "su": _su,
    "useradd": _accounts,
    "userdel": _accounts,
    "groupadd": _accounts,
    "usermod": _accounts,
}


class LinuxAuthParser(ProgramParser):
    """sshd logins and failures, sudo commands, su, PAM sessions and failures, account changes."""

    NAME = "linux-auth"
    DATASET = "linux.auth"
    MODULE = "system"
    PROGRAMS = frozenset({*_BY_PROGRAM, "login", "passwd", "chpasswd", "vsftpd", "systemd-logind"})

    def claims(self, program: str | None, message: str) -> bool:
        return program in self.PROGRAMS or message.startswith("pam_unix(")

    def apply(self, event: Event, header: SyslogHeader) -> None:
        handler = _BY_PROGRAM.get(header.appname or "")
        message = header.message
        if header.subsystem == "pam_unix" or message.startswith("pam_unix("):
            _pam(event, message)
            return
        if handler is not None and handler(event, message):
            return
        _pam(event, message)
