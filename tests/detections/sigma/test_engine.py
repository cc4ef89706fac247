"""The streaming engine: Sigma modifiers and conditions, routing, fast path = interpreter."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.detections.sigma.helpers import ecs, engine_from, fired, win

PROC = """
title: t
id: 11111111-1111-1111-1111-111111111111
logsource: {category: process_creation, product: windows}
level: high
detection:
"""


def _engine(tmp_path: Path, detection: str) -> Any:
    body = PROC + textwrap.indent(textwrap.dedent(detection), "    ")
    return engine_from(tmp_path, body)


CASES = [
    # (detection, event data, fires)
    ("sel: {Image|endswith: '\\cmd.exe'}\ncondition: sel", {"Image": "C:\\X\\CMD.EXE"}, True),
    ("sel: {Image|endswith: '\\cmd.exe'}\ncondition: sel", {"Image": "C:\\cmd.exe.bak"}, False),
    (
        "sel: {CommandLine|contains: 'URLcache'}\ncondition: sel",
        {"CommandLine": "x -urlcache y"},
        True,
    ),
    ("sel: {CommandLine|startswith: 'net '}\ncondition: sel", {"CommandLine": "NET user"}, True),
    ("sel: {CommandLine|startswith: 'net '}\ncondition: sel", {"CommandLine": " net user"}, False),
    ("sel: {CommandLine: 'whoami'}\ncondition: sel", {"CommandLine": "WhoAmI"}, True),
    ("sel: {CommandLine: 'who*i'}\ncondition: sel", {"CommandLine": "whoAMi"}, True),
    ("sel: {CommandLine: 'who?mi'}\ncondition: sel", {"CommandLine": "whoami"}, True),
    ("sel: {CommandLine: 'who?mi'}\ncondition: sel", {"CommandLine": "whomi"}, False),
    ("sel: {CommandLine: 'a\\*b'}\ncondition: sel", {"CommandLine": "a*b"}, True),
    ("sel: {CommandLine: 'a\\*b'}\ncondition: sel", {"CommandLine": "axb"}, False),
    (
        "sel: {CommandLine|contains|all: [' -enc ', 'bypass']}\ncondition: sel",
        {"CommandLine": "p -enc x bypass"},
        True,
    ),
    (
        "sel: {CommandLine|contains|all: [' -enc ', 'bypass']}\ncondition: sel",
        {"CommandLine": "p -enc x"},
        False,
    ),
    ("sel: {CommandLine|re: 'Invoke-[A-Z]'}\ncondition: sel", {"CommandLine": "Invoke-Mimi"}, True),
    (
        "sel: {CommandLine|re: 'Invoke-[A-Z]'}\ncondition: sel",
        {"CommandLine": "invoke-mimi"},
        False,
    ),
    (
        "sel: {CommandLine|re|i: 'Invoke-[A-Z]'}\ncondition: sel",
        {"CommandLine": "invoke-mimi"},
        True,
    ),
    ("sel: {CommandLine|cased: 'Secret'}\ncondition: sel", {"CommandLine": "secret"}, False),
    (
        "sel: {CommandLine|cased|contains: 'Secret'}\ncondition: sel",
        {"CommandLine": "a Secret b"},
        True,
    ),
    (
        "sel: {DestinationIp|cidr: '10.0.0.0/8'}\ncondition: sel",
        {"DestinationIp": "10.2.3.4"},
        True,
    ),
    (
        "sel: {DestinationIp|cidr: '10.0.0.0/8'}\ncondition: sel",
        {"DestinationIp": "11.2.3.4"},
        False,
    ),
    ("sel: {DestinationIp|cidr: 'fc00::/7'}\ncondition: sel", {"DestinationIp": "fd00::1"}, True),
    (
        "sel: {CommandLine|base64offset|contains: 'http'}\ncondition: sel",
        {"CommandLine": "x aHR0cDovL2V2aWw= y"},
        True,
    ),
    (
        "sel: {CommandLine|windash|contains: ' -nop '}\ncondition: sel",
        {"CommandLine": "p /nop x"},
        True,
    ),
    (
        "sel: {CommandLine|windash|contains: ' -nop '}\ncondition: sel",
        {"CommandLine": "p nop x"},
        False,
    ),
    ("sel: {ParentUser|exists: true}\ncondition: sel", {"ParentUser": "x"}, True),
    ("sel: {ParentUser|exists: true}\ncondition: sel", {}, False),
    ("sel: {ParentUser|exists: false}\ncondition: sel", {}, True),
    ("sel: {ParentUser: null}\ncondition: sel", {}, True),
    ("sel: {ParentUser: null}\ncondition: sel", {"ParentUser": "x"}, False),
    ("sel: {ParentUser: ''}\ncondition: sel", {"ParentUser": ""}, True),
    (
        "sel: {Image|fieldref: ParentImage}\ncondition: sel",
        {"Image": "A.exe", "ParentImage": "a.EXE"},
        True,
    ),
    (
        "sel: {Image|fieldref: ParentImage}\ncondition: sel",
        {"Image": "A.exe", "ParentImage": "b.exe"},
        False,
    ),
    (
        "sel: {Image|fieldref|endswith: ParentImage}\ncondition: sel",
        {"Image": "c:\\A.exe", "ParentImage": "a.EXE"},
        True,
    ),
    ("sel: {ProcessId|gt: 100}\ncondition: sel", {"ProcessId": 4242}, True),
    ("sel: {ProcessId|lte: 100}\ncondition: sel", {"ProcessId": "4242"}, False),
    ("sel: {ProcessId: 4242}\ncondition: sel", {"ProcessId": 4242}, True),
    (
        "a: {Image|endswith: x.exe}\nb: {User|contains: admin}\ncondition: a and not b",
        {"Image": "x.exe"},
        True,
    ),
    (
        "a: {Image|endswith: x.exe}\nb: {User|contains: admin}\ncondition: a and not b",
        {"Image": "x.exe", "User": "ADMIN"},
        False,
    ),
    (
        "s_a: {Image|endswith: a.exe}\ns_b: {Image|endswith: b.exe}\ncondition: 1 of s_*",
        {"Image": "b.exe"},
        True,
    ),
    (
        "s_a: {Image|endswith: a.exe}\ns_b: {User: u}\ncondition: all of s_*",
        {"Image": "a.exe"},
        False,
    ),
    (
        "s_a: {Image|endswith: a.exe}\ns_b: {User: u}\ncondition: all of s_*",
        {"Image": "a.exe", "User": "U"},
        True,
    ),
    ("kw: ['mimikatz']\ncondition: kw", {"CommandLine": "run MIMIKATZ now"}, True),
    ("kw: ['mimikatz']\ncondition: kw", {"CommandLine": "run notepad"}, False),
    (
        "sel: {Image|endswith: [a.exe, b.exe], CommandLine|contains: [' x', ' y']}\ncondition: sel",
        {"Image": "b.exe", "CommandLine": "b y"},
        True,
    ),
    (
        "sel:\n  - Image|endswith: a.exe\n  - CommandLine|contains: zz\ncondition: sel",
        {"CommandLine": "zz"},
        True,
    ),
]


@pytest.mark.parametrize(("detection", "data", "fires"), CASES)
def test_modifier_semantics(
    tmp_path: Path, detection: str, data: dict[str, Any], fires: bool
) -> None:
    engine = _engine(tmp_path, detection)
    assert bool(fired(engine, win(1, **data))) is fires


def test_process_creation_routes_to_sysmon_1_and_security_4688(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "sel: {Image|endswith: '\\evil.exe'}\ncondition: sel")
    assert fired(engine, win(1, Image="c:\\evil.exe"))
    assert fired(engine, win(4688, "Security", NewProcessName="c:\\evil.exe"))
    assert not fired(engine, win(3, Image="c:\\evil.exe"))  # Sysmon network connection
    assert not fired(engine, win(1, "Security", Image="c:\\evil.exe"))  # wrong channel
    assert not fired(engine, ecs("linux.auth", winlog__event_data__Image="c:\\evil.exe"))


def test_audit_variants_can_be_turned_off(tmp_path: Path) -> None:
    from detections.sigma.engine import SigmaEngine
    from tests.detections.sigma.helpers import rules_from

    ruleset = rules_from(
        tmp_path, PROC + "    sel: {Image|endswith: x.exe}\n    condition: sel", audit=False
    )
    engine = SigmaEngine(ruleset.rules)
    assert not fired(engine, win(4688, "Security", NewProcessName="x.exe"))


def test_lists_fall_back_to_the_interpreter(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "sel: {Data|contains: 'HostApplication=evil'}\ncondition: sel")
    assert fired(engine, win(1, Data=["x", "a HostApplication=Evil b"]))
    assert engine.fallbacks == 1
    assert not fired(engine, win(1, Data=["x", "y"]))


def test_user_data_answers_for_event_data(tmp_path: Path) -> None:
    body = """
    title: cleared
    id: 22222222-2222-2222-2222-222222222222
    logsource: {product: windows, service: security}
    detection:
        sel: {EventID: 1102, SubjectUserName: admmig}
        condition: sel
    """
    engine = engine_from(tmp_path, body)
    event = win(1102, "Security")
    event["winlog"]["user_data"] = {"SubjectUserName": "ADMMIG"}
    assert fired(engine, event)


def test_non_windows_rule_sees_only_its_datasets(tmp_path: Path) -> None:
    body = """
    title: ssh
    id: 33333333-3333-3333-3333-333333333333
    logsource: {product: linux, service: sshd}
    detection:
        kw: ['Failed password']
        condition: kw
    """
    engine = engine_from(tmp_path, body)
    assert fired(engine, ecs("linux.auth", message="Failed password for root from 1.2.3.4"))
    assert not fired(engine, ecs("nginx.access", message="Failed password for root"))
    assert not fired(engine, ecs("linux.auth", message="Accepted password for root"))


def test_web_fields_map_to_ecs(tmp_path: Path) -> None:
    body = """
    title: traversal
    id: 44444444-4444-4444-4444-444444444444
    logsource: {category: webserver}
    detection:
        sel: {cs-uri-query|contains: '../', sc-status: 200}
        condition: sel
    """
    engine = engine_from(tmp_path, body)
    hit = ecs("nginx.access", url__query="f=../../etc/passwd", http__response__status_code=200)
    assert fired(engine, hit)
    assert not fired(engine, ecs("nginx.access", url__query="f=a", http__response__status_code=200))
    assert fired(engine, ecs("egov.portal", url__query="x=../", http__response__status_code=200))


def test_timestamp_part_modifier(tmp_path: Path) -> None:
    body = """
    title: night
    id: 55555555-5555-5555-5555-555555555555
    logsource: {product: egov, service: lgsp}
    detection:
        sel: {'@timestamp|hour': 2}
        condition: sel
    """
    engine = engine_from(tmp_path, body)
    assert fired(engine, ecs("egov.lgsp"))  # helper events are at 02:03 UTC
    late = ecs("egov.lgsp")
    late["@timestamp"] = "2026-03-01T14:00:00Z"
    assert not fired(engine, late)
