"""suricata-verify cases: the checks evaluator, and the staged cases on the real Suricata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detections.suricata.engine import SuricataEngine
from detections.suricata.verify import (
    VerifyCase,
    discover_cases,
    evaluate_checks,
    find_value,
    record_matches,
    run_case,
)

EVE = [
    {"event_type": "alert", "alert": {"signature_id": 1}, "tls": {"alpn": ["h2", "http/1.1"]}},
    {"event_type": "alert", "alert": {"signature_id": 2}},
    {"event_type": "dns", "dns": {"rcode": "NXDOMAIN"}},
    {"event_type": "stats", "stats": {"decoder": {"ipv4": 17}}},
]


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    (tmp_path / "eve.json").write_text("\n".join(json.dumps(r) for r in EVE) + "\n")
    (tmp_path / "fast.log").write_text("one\ntwo\n")
    return tmp_path


def test_find_value_follows_dots_and_indexes() -> None:
    assert find_value(EVE[0], "alert.signature_id") == 1
    assert find_value(EVE[0], "tls.alpn[1]") == "http/1.1"
    assert find_value(EVE[0], "tls.alpn.__len") == 2
    assert find_value(EVE[0], "tls.alpn[5]") is None
    assert find_value(EVE[0], "nothing.here") is None
    assert record_matches(EVE[0], {"has-key": "tls.alpn", "event_type": "alert"})
    assert not record_matches(EVE[1], {"has-key": "tls"})
    assert record_matches(EVE[1], {"not-has-key": "tls"})


def test_checks_pass_fail_or_are_reported_unsupported(outdir: Path) -> None:
    checks: list[dict[str, Any]] = [
        {"filter": {"count": 2, "match": {"event_type": "alert"}}},
        {"filter": {"count": 1, "match": {"event_type": "alert"}}},
        {"filter": {"gt": 0, "match": {"dns.rcode": "NXDOMAIN"}}},
        {"stats": {"decoder.ipv4": 17}},
        {"stats": {"decoder.ipv4": 18}},
        {"shell": {"args": "cat fast.log | wc -l | xargs", "expect": 2}},
        {"shell": {"args": "rm -rf / ; echo 1", "expect": 1}},
        {"lua": {"script": "x.lua"}},
    ]
    results = [r.ok for r in evaluate_checks(checks, outdir, (7, 0, 10))]
    assert results == [True, False, True, True, False, True, None, None]


def test_requirements_decide_skips(tmp_path: Path) -> None:
    (tmp_path / "input.pcap").write_bytes(b"")
    (tmp_path / "test.yaml").write_text("requires:\n  min-version: 8.0.0\n")
    assert VerifyCase(tmp_path).skip_reason((7, 0, 10), set()) == "requires Suricata >= 8.0.0"
    (tmp_path / "test.yaml").write_text("requires:\n  features: [HAVE_LUA]\n")
    assert "HAVE_LUA" in (VerifyCase(tmp_path).skip_reason((7, 0, 10), set()) or "")
    assert VerifyCase(tmp_path).skip_reason((7, 0, 10), {"HAVE_LUA"}) is None
    (tmp_path / "test.yaml").write_text("command: ./run.sh\n")
    assert "not supported" in (VerifyCase(tmp_path).skip_reason((7, 0, 10), set()) or "")


@pytest.mark.suricata
def test_staged_suricata_verify_cases_pass(
    datasets: Path, engine: SuricataEngine, tmp_path: Path
) -> None:
    root = datasets / "suricata-verify-dev"
    if not root.is_dir():
        pytest.skip("suricata-verify-dev is not present")
    results = [run_case(c, engine, tmp_path / c.name) for c in discover_cases(root)]
    failed = {r.name: r.reason for r in results if r.status == "failed"}
    assert failed == {}
    passed = [r for r in results if r.status == "passed"]
    assert passed, "no case could run"
    for result in passed:
        assert result.checks and all(c.ok is True for c in result.checks), result
    for result in results:
        if result.status == "skipped":
            assert result.reason.startswith("requires Suricata >=")
