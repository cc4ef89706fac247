"""Property: the generated fast path and the reference interpreter agree on any event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detections.sigma.engine import SigmaEngine
from tests.detections.sigma.helpers import fired, rules_from, win

RULES = """
title: mix
id: aaaaaaaa-0000-0000-0000-000000000001
logsource: {category: process_creation, product: windows}
detection:
    img: {Image|endswith: ['\\a.exe', '\\B.exe'], OriginalFileName: 'A.EXE'}
    cli: {CommandLine|contains|all: ['-x', 'Y']}
    glob: {CommandLine: '*a?b*'}
    rex: {User|re: '^[A-Z]+$'}
    nul: {ParentUser: null}
    cidr: {DestinationIp|cidr: ['10.0.0.0/8', 'fd00::/8']}
    num: {ProcessId|gte: 10}
    ref: {User|fieldref: ParentUser}
    kw: ['zz']
    condition: (1 of img or cli) and not rex or (glob and nul) or (cidr and num) or ref or kw
---
title: anchored
id: aaaaaaaa-0000-0000-0000-000000000002
logsource: {category: process_creation, product: windows}
detection:
    img: {Image|endswith: ['\\a.exe', '\\B.exe']}
    ofn: {OriginalFileName: 'A.EXE'}
    cli: {CommandLine|contains|all: ['-x', 'Y']}
    pat: {CommandLine: '*-x*ab*'}
    filter: {User: 'bb'}
    condition: (img or ofn) and cli and not filter or pat
"""

TOKENS = [
    "a",
    "b",
    "B",
    "-x",
    "y",
    "Y",
    "\\a.exe",
    "\\B.EXE",
    "A.EXE",
    "zz",
    "ab",
    "aXb",
    "10.1.2.3",
    "fd00::1",
    "7",
    "12",
    " ",
]
FIELDS = [
    "Image",
    "OriginalFileName",
    "CommandLine",
    "User",
    "ParentUser",
    "DestinationIp",
    "ProcessId",
]

text = st.lists(st.sampled_from(TOKENS), max_size=4).map("".join)
value = st.one_of(text, st.integers(-5, 50), st.none(), st.lists(text, max_size=3), st.booleans())
events = st.dictionaries(st.sampled_from(FIELDS), value, max_size=len(FIELDS))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SigmaEngine:
    directory: Path = tmp_path_factory.mktemp("rules")
    return SigmaEngine(rules_from(directory, RULES).rules)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=events)
def test_fast_path_equals_interpreter(engine: SigmaEngine, data: dict[str, Any]) -> None:
    fired(engine, win(1, **data))  # asserts equality inside
