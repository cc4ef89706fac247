"""Linux auth messages routed from syslog: sshd, sudo, su, PAM — positive and negative cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.registry import build_program_parsers
from collectors.syslog import SyslogParser
from tests.collectors.conftest import record


def parse(line: str) -> dict:
    (event,) = SyslogParser(build_program_parsers()).parse(record(line))
    return event


def test_failed_password_is_fully_specified() -> None:
    event = parse(
        "Feb 10 23:21:05 web01 sshd[1234]: Failed password for invalid user admin "
        "from 203.0.113.7 port 52211 ssh2"
    )
    assert event["event"]["dataset"] == "linux.auth"
    assert event["event"]["module"] == "system"
    assert event["event"]["category"] == ["authentication"]
    assert event["event"]["outcome"] == "failure"
    assert event["event"]["action"] == "ssh_login"
    assert event["user"] == {"name": "admin"}
    assert event["source"] == {"ip": "203.0.113.7", "port": 52211}
    assert event["linux"]["auth"]["ssh"] == {"method": "password", "invalid_user": True}
    assert event["host"]["hostname"] == "web01"
    assert event["process"] == {"name": "sshd", "pid": 1234}


@pytest.mark.parametrize(
    ("message", "outcome", "user", "ip"),
    [
        (
            "Accepted publickey for deploy from 2001:df2:9b00::10 port 2222 ssh2: RSA SHA256:x",
            "success",
            "deploy",
            "2001:df2:9b00::10",
        ),
        ("Invalid user oracle from 198.51.100.4 port 4000", "failure", "oracle", "198.51.100.4"),
        (
            "error: maximum authentication attempts exceeded for root from 10.1.1.1 port 22 ssh2",
            "failure",
            "root",
            "10.1.1.1",
        ),
        (
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
            "rhost=10.0.3.1  user=root",
            "failure",
            "root",
            "10.0.3.1",
        ),
        (
            "User bob from 10.9.9.9 not allowed because not listed in AllowUsers",
            "failure",
            "bob",
            "10.9.9.9",
        ),
    ],
)
def test_sshd_outcomes(message: str, outcome: str, user: str, ip: str) -> None:
    event = parse(f"Feb  1 00:00:00 h sshd[1]: {message}")
    assert event["event"]["outcome"] == outcome
    assert event["user"]["name"] == user
    assert event["source"]["ip"] == ip


def test_sshd_message_without_login_has_no_outcome() -> None:
    event = parse("Feb  1 00:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.")
    assert event["event"]["dataset"] == "linux.auth"
    assert "outcome" not in event["event"] and "user" not in event


def test_sudo_command_and_denial() -> None:
    ok = parse(
        "Apr 27 15:22:23 niban sudo:     dcid : TTY=pts/4 ; PWD=/home/dcid ; USER=root ; "
        "COMMAND=/usr/bin/tail /var/log/auth.log"
    )
    assert ok["user"] == {"name": "dcid", "effective": {"name": "root"}}
    assert ok["process"]["command_line"] == "/usr/bin/tail /var/log/auth.log"
    assert ok["event"]["outcome"] == "success"
    bad = parse(
        "Jun 25 15:51:13 precise32 sudo:     mike : 1 incorrect password attempt ; TTY=pts/0 ; "
        "PWD=/root ; USER=root ; COMMAND=/bin/ls"
    )
    assert bad["event"]["outcome"] == "failure" and bad["event"]["category"] == ["authentication"]
    assert bad["event"]["reason"] == "1 incorrect password attempt"


@pytest.mark.parametrize(
    ("message", "outcome", "user", "target"),
    [
        ("BAD SU ger to fwmaster on /dev/ttyp0", "failure", "ger", "fwmaster"),
        ("failed: ttyq4 changing from ldap to root", "failure", "ldap", "root"),
        ("dcid to root on /dev/ttyp1", "success", "dcid", "root"),
        ("(to root) alice on pts/0", "success", "alice", "root"),
    ],
)
def test_su(message: str, outcome: str, user: str, target: str) -> None:
    event = parse(f"Apr 22 17:51:51 enigma su[1]: {message}")
    assert (event["event"]["outcome"], event["user"]["name"]) == (outcome, user)
    assert event["user"]["target"]["name"] == target


def test_pam_session() -> None:
    event = parse(
        "Nov 11 22:46:29 localhost su(pam_unix)[14592]: session opened for user news by (uid=0)"
    )
    assert event["event"]["category"] == ["session"] and event["event"]["type"] == ["start"]
    assert event["user"]["name"] == "news"


def test_wazuh_auth_corpus_lines_route_to_linux_auth(datasets: Path) -> None:
    cases = json.loads((datasets / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    lines = [
        log["line"]
        for name in ("sshd", "sudo", "su", "pam")
        for s in cases[name]
        for log in s["logs"]
    ]
    events = [parse(line) for line in lines]
    assert all(e["event"]["dataset"] == "linux.auth" for e in events)
    with_ip = [e for e in events if "source" in e]
    assert len(with_ip) >= 30
    failures = [e for e in events if e["event"].get("outcome") == "failure"]
    assert len(failures) >= 20
