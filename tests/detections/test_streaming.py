"""Streaming detection through the real pipeline: committed batches become grouped alerts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import select

from detections.alert_store import AlertWriter
from detections.base import Match, RuleInfo, StreamingEngine
from detections.sigma.engine import SigmaEngine
from detections.streaming import StreamingDetector
from soc.ecs import Event
from soc.pipeline import Pipeline
from soc.state.db import open_state
from soc.state.models import Alert
from soc.stores.sqlite import SqliteEventStore
from tests.detections.sigma.helpers import ecs, rules_from

RULE = """
title: Failed SSH password
id: 5e5e5e5e-0000-0000-0000-000000000001
level: medium
tags: [attack.credential-access, attack.t1110]
logsource: {product: linux, service: sshd}
detection:
    kw: ['Failed password']
    condition: kw
"""


class _Broken(StreamingEngine):
    NAME = "broken"

    def match(self, events: Sequence[Event]) -> Iterator[Match]:
        raise RuntimeError("boom")

    def rules(self) -> list[RuleInfo]:
        return []


def test_pipeline_batches_raise_grouped_alerts(tmp_path: Path) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    engine = SigmaEngine(rules_from(tmp_path / "rules", RULE).rules)
    detector = StreamingDetector([_Broken(), engine], AlertWriter(state, window_seconds=3600))
    store = SqliteEventStore(tmp_path / "events.db")
    pipeline = Pipeline(store, batch_size=2, observers=[detector])
    events = []
    for n in range(5):
        ev = ecs(
            "linux.auth",
            message=f"Failed password for root from 203.0.113.9 port {n}",
            source__ip="203.0.113.9",
        )
        ev["event"]["id"] = f"ssh-{n}"
        events.append(ev)
    quiet = ecs("linux.auth", message="Accepted publickey for deploy")
    quiet["event"]["id"] = "ok-1"
    pipeline.emit([*events, quiet])
    pipeline.flush()
    pipeline.emit(events[:2])  # replayed: the store sees duplicates, no new alert counts
    pipeline.flush()
    with state.session() as s:
        (alert,) = s.scalars(select(Alert))
        assert (alert.count, alert.rule_id, alert.entities["source_ip"]) == (
            5,
            "5e5e5e5e-0000-0000-0000-000000000001",
            "203.0.113.9",
        )
        assert alert.techniques == ["T1110"]
    assert detector.stats.engine_errors == 3  # the broken engine, once per batch; the rest ran
    assert detector.stats.events == 6
    store.close()
