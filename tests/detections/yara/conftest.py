"""A project rule set compiled once per module (cached in a temporary directory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detections.yara.cache import LoadedRuleSet, load_rule_set
from detections.yara.rulesets import rule_roots
from detections.yara.settings import YaraSettings


@pytest.fixture(scope="session")
def project_rules(tmp_path_factory: pytest.TempPathFactory) -> LoadedRuleSet:
    cache = tmp_path_factory.mktemp("yara-cache")
    return load_rule_set(rule_roots([]), YaraSettings(), cache)


def write(path: Path, data: bytes, *, age_seconds: float = 0) -> Path:
    """Write a file; ``age_seconds`` backdates its mtime (a settled upload)."""
    import os
    import time

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age_seconds:
        stamp = time.time() - age_seconds
        os.utime(path, (stamp, stamp))
    return path
