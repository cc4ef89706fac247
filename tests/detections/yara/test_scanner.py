"""Scans stay inside their limits and report what they skipped; one fully specified event."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yara

from detections.yara.cache import LoadedRuleSet, load_rule_set
from detections.yara.rulesets import RuleRoot
from detections.yara.scanner import FileScanner, ScanReport
from detections.yara.settings import YaraSettings
from soc.ecs import event_id
from tests.detections.yara.conftest import write

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
RULE = """
rule Marker : T1505_003 webshell
{
    meta:
        id = "0f6c1d0e-1111-4a4a-8b8b-123456789abc"
        description = "the test marker"
        author = "tests"
        level = "medium"
        tactic = "persistence"
    strings:
        $m = "MARKER-7731"
    condition:
        $m
}
"""


@pytest.fixture
def marker_rules(tmp_path: Path) -> LoadedRuleSet:
    root = tmp_path / "rules"
    root.mkdir()
    (root / "marker.yar").write_text(RULE)
    return load_rule_set([RuleRoot("lab", root)], YaraSettings())


def _scan(
    rules: LoadedRuleSet, paths: list[Path], **limits: int
) -> tuple[list[dict[str, object]], ScanReport]:
    report = ScanReport()
    scanner = FileScanner(rules, YaraSettings.model_validate(limits), clock=lambda: NOW)
    return list(scanner.scan(paths, report, include_skipped=True)), report


def test_match_event_is_fully_specified(marker_rules: LoadedRuleSet, tmp_path: Path) -> None:
    data = b"abc MARKER-7731 def MARKER-7731"
    path = write(tmp_path / "up" / "Shell.PHP", data)
    events, report = _scan(marker_rules, [tmp_path / "up"])
    sha = hashlib.sha256(data).hexdigest()
    mtime = datetime.fromtimestamp(path.stat().st_mtime_ns / 1e9, UTC)
    assert events == [
        {
            "@timestamp": "2026-11-23T08:30:00.000000Z",
            "ecs": {"version": "8.11.0"},
            "event": {
                "id": event_id(f"yara:{path}", f"{sha}\0lab/marker.yar:Marker".encode()),
                "kind": "alert",
                "category": ["malware", "file"],
                "type": ["info"],
                "dataset": "yara.scan",
                "module": "yara",
                "severity": 47,
                "created": "2026-11-23T08:30:00.000000Z",
            },
            "file": {
                "path": str(path),
                "name": "Shell.PHP",
                "directory": str(path.parent),
                "extension": "php",
                "size": len(data),
                "mtime": mtime.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "hash": {"sha256": sha},
            },
            "rule": {
                "id": "0f6c1d0e-1111-4a4a-8b8b-123456789abc",
                "name": "Marker",
                "ruleset": "lab",
                "description": "the test marker",
                "author": ["tests"],
            },
            "soc": {
                "yara": {
                    "namespace": "lab/marker.yar",
                    "strings": [
                        {"identifier": "$m", "offset": 4},
                        {"identifier": "$m", "offset": 20},
                    ],
                }
            },
            "threat": {
                "framework": "MITRE ATT&CK",
                "technique": {"id": ["T1505"], "subtechnique": {"id": ["T1505.003"]}},
                "tactic": {"name": ["persistence"]},
            },
            "tags": ["T1505_003", "webshell"],
        }
    ]
    assert report.as_dict() == {
        "files_seen": 1,
        "files_scanned": 1,
        "files_matched": 1,
        "matches": 1,
        "bytes_scanned": len(data),
        "skipped": {},
        "truncated": False,
    }


def test_same_file_same_rule_gives_the_same_event_id(
    marker_rules: LoadedRuleSet, tmp_path: Path
) -> None:
    write(tmp_path / "a.txt", b"MARKER-7731")
    first, _ = _scan(marker_rules, [tmp_path / "a.txt"])
    again, _ = _scan(marker_rules, [tmp_path / "a.txt"])
    write(tmp_path / "a.txt", b"MARKER-7731 changed")
    changed, _ = _scan(marker_rules, [tmp_path / "a.txt"])
    assert first[0]["event"]["id"] == again[0]["event"]["id"]  # type: ignore[index]
    assert changed[0]["event"]["id"] != first[0]["event"]["id"]  # type: ignore[index]


def test_oversized_file_is_skipped_and_reported(
    marker_rules: LoadedRuleSet, tmp_path: Path
) -> None:
    write(tmp_path / "in" / "big.bin", b"MARKER-7731" + b"\0" * 200)
    write(tmp_path / "in" / "small.bin", b"MARKER-7731")
    events, report = _scan(marker_rules, [tmp_path / "in"], max_file_bytes=100)
    kinds = sorted((e["file"]["name"], e["event"]["kind"]) for e in events)  # type: ignore[index]
    assert kinds == [("big.bin", "event"), ("small.bin", "alert")]
    skipped = next(e for e in events if e["event"]["kind"] == "event")  # type: ignore[index]
    assert skipped["event"]["reason"] == "too-large"  # type: ignore[index]
    assert report.skipped == {"too-large": 1}


def test_symlinks_are_not_followed(marker_rules: LoadedRuleSet, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", b"MARKER-7731")
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    os.symlink(outside, scanned / "link.txt")
    os.symlink(outside.parent, scanned / "linkdir")
    events, report = _scan(marker_rules, [scanned, scanned / "link.txt"])
    assert [e["event"]["kind"] for e in events] == ["event", "event", "event"]  # type: ignore[index]
    assert report.skipped == {"symlink": 3}
    assert report.files_scanned == 0


def test_depth_and_file_count_limits(marker_rules: LoadedRuleSet, tmp_path: Path) -> None:
    write(tmp_path / "t" / "a" / "b" / "c" / "deep.txt", b"MARKER-7731")
    write(tmp_path / "t" / "top.txt", b"MARKER-7731")
    events, report = _scan(marker_rules, [tmp_path / "t"], max_depth=1)
    alerts = [e["file"]["name"] for e in events if e["event"]["kind"] == "alert"]  # type: ignore[index]
    assert alerts == ["top.txt"]
    assert report.skipped == {"depth-limit": 1}
    for n in range(5):
        write(tmp_path / "many" / f"{n}.txt", b"x")
    _, report = _scan(marker_rules, [tmp_path / "many"], max_files=3)
    assert (report.files_seen, report.truncated) == (3, True)


def test_timeout_and_engine_errors_are_counted_not_raised(
    marker_rules: LoadedRuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "slow.bin", b"MARKER-7731")
    scanner = FileScanner(marker_rules, YaraSettings(scan_timeout_seconds=1))
    calls: list[int] = []

    def too_slow(*args: object, timeout: int, **kwargs: object) -> list[yara.Match]:
        calls.append(timeout)
        raise yara.TimeoutError("timeout")

    monkeypatch.setattr(scanner, "rules", type("R", (), {"match": staticmethod(too_slow)})())
    report = ScanReport()
    events = list(scanner.scan([tmp_path / "slow.bin"], report, include_skipped=True))
    assert calls == [1]
    assert report.skipped == {"timeout": 1}
    assert events[0]["event"]["reason"] == "timeout"


def test_missing_path_and_special_files(marker_rules: LoadedRuleSet, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    events, report = _scan(marker_rules, [tmp_path / "nope", tmp_path / "pipe"])
    assert len(events) == 2
    assert set(report.skipped) == {"unreadable", "not-regular-file"}
