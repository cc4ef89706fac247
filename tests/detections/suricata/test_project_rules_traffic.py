"""The real Suricata on scapy-made traffic: each SOC rule alerts on its positive sessions only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from detections.suricata.engine import SuricataEngine
from detections.suricata.samples import load_samples
from tests.detections.suricata.conftest import SampleRun

pytestmark = pytest.mark.suricata

SPECS = load_samples()
POSITIVE = [(s.sid, i) for s in SPECS for i in range(len(s.positive))]
NEGATIVE = [(s.sid, i) for s in SPECS for i in range(len(s.negative))]


def _alerts_of(run: SampleRun, sid: int, index: int) -> tuple[set[int], list[tuple[int, int]]]:
    placed = next(p for p in run.placed if (p.sid, p.index) == (sid, index))
    hits = run.alerts.get(placed.client, [])
    return {s for _, s in hits}, hits


@pytest.mark.parametrize(("sid", "index"), POSITIVE, ids=[f"{s}-pos{i}" for s, i in POSITIVE])
def test_positive_session_raises_exactly_its_alert(
    sid: int, index: int, sample_runs: dict[str, SampleRun]
) -> None:
    run = sample_runs["positive"]
    placed = next(p for p in run.placed if (p.sid, p.index) == (sid, index))
    sids, _ = _alerts_of(run, sid, index)
    assert sids == set(placed.expect)


@pytest.mark.parametrize(("sid", "index"), NEGATIVE, ids=[f"{s}-neg{i}" for s, i in NEGATIVE])
def test_negative_session_raises_no_alert(
    sid: int, index: int, sample_runs: dict[str, SampleRun]
) -> None:
    sids, _ = _alerts_of(sample_runs["negative"], sid, index)
    assert sids == set()


def test_no_rule_alerts_twice_on_one_flow(sample_runs: dict[str, SampleRun]) -> None:
    """A rule firing on a packet and again on the reassembled stream is noise for analysts."""
    repeated = {
        client: sorted(hit for hit, n in Counter(hits).items() if n > 1)
        for client, hits in sample_runs["positive"].alerts.items()
    }
    assert sample_runs["positive"].alerts
    assert {c: r for c, r in repeated.items() if r} == {}


def test_every_project_rule_loads_in_strict_mode(
    engine: SuricataEngine, project_rules_file: Path, tmp_path: Path
) -> None:
    engine.test_rules(project_rules_file, tmp_path)  # raises DetectionError on any bad rule
