"""Scheduled mode on the embedded store: SQL from pySigma, checkpoints, correlations, restarts."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from detections.alert_store import AlertWriter
from detections.sigma.scheduled import compile_scheduled
from detections.sigma.scheduler import ScheduledRunner
from detections.sigma.targets import read_collection
from soc.state.db import StateDB, open_state
from soc.state.models import Alert
from soc.stores.sqlite import SqliteEventStore

RULES = """
title: SSH failed password
id: c0c0c0c0-0000-0000-0000-000000000001
name: ssh_failed
logsource: {product: linux, service: sshd}
detection:
    sel: {event.outcome: failure}
    condition: sel
---
title: SSH accepted password
id: c0c0c0c0-0000-0000-0000-000000000002
name: ssh_accepted
logsource: {product: linux, service: sshd}
detection:
    sel: {event.outcome: SUCCESS}
    condition: sel
---
title: SSH brute force
id: c0c0c0c0-0000-0000-0000-000000000010
name: ssh_brute
level: high
correlation:
    type: event_count
    rules: [ssh_failed]
    group-by: [source.ip]
    timespan: 10m
    condition: {gte: 5}
---
title: SSH login from many users
id: c0c0c0c0-0000-0000-0000-000000000011
correlation:
    type: value_count
    rules: [ssh_failed]
    group-by: [source.ip]
    timespan: 10m
    condition: {field: user.name, gte: 3}
---
title: SSH success after failures
id: c0c0c0c0-0000-0000-0000-000000000012
level: critical
correlation:
    type: temporal_ordered
    rules: [ssh_failed, ssh_accepted]
    group-by: [source.ip]
    timespan: 15m
---
title: SSH failure and success
id: c0c0c0c0-0000-0000-0000-000000000013
correlation:
    type: temporal
    rules: [ssh_failed, ssh_accepted]
    group-by: [source.ip]
    timespan: 15m
"""


def _ssh(
    n: int, minute: int, outcome: str, src: str = "203.0.113.9", user: str = "root"
) -> dict[str, Any]:
    return {
        "@timestamp": f"2026-03-01T02:{minute:02d}:{n % 60:02d}.000000Z",
        "event": {"id": f"ssh-{src}-{n}", "dataset": "linux.auth", "outcome": outcome},
        "source": {"ip": src},
        "user": {"name": user},
        "host": {"hostname": "bastion"},
    }


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, StateDB, ScheduledRunner]:
    rules_file = tmp_path / "ssh.yml"
    rules_file.write_text(textwrap.dedent(RULES), encoding="utf-8")
    scheduled, issues = compile_scheduled(read_collection([rules_file]), source=str(rules_file))
    assert not issues and len(scheduled) == 4
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    runner = ScheduledRunner(
        tmp_path / "events.db",
        state,
        scheduled,
        AlertWriter(state, window_seconds=3600),
        chunk_rows=4,
    )
    return tmp_path / "events.db", state, runner


def _alerts(state: StateDB) -> dict[str, Alert]:
    with state.session() as s:
        return {a.rule_id: a for a in s.scalars(select(Alert))}


def test_correlations_fire_once_per_group_across_runs(
    setup: tuple[Path, StateDB, ScheduledRunner],
) -> None:
    events_path, state, runner = setup
    store = SqliteEventStore(events_path)
    users = ["root", "admin", "oracle", "root", "test", "root"]
    store.write([_ssh(n, 1, "failure", user=users[n]) for n in range(6)])
    store.write([_ssh(n, 1, "failure", src="198.51.100.4") for n in range(2)])  # too few
    first = runner.run_once()
    assert not first.errors
    alerts = _alerts(state)
    assert set(alerts) == {
        "c0c0c0c0-0000-0000-0000-000000000010",
        "c0c0c0c0-0000-0000-0000-000000000011",
    }
    brute = alerts["c0c0c0c0-0000-0000-0000-000000000010"]
    assert brute.entities["source_ip"] == "203.0.113.9" and brute.rule_level == "high"
    assert brute.count == 6 and len(brute.event_ids) == 6

    again = runner.run_once()  # nothing new: no new alert, no count change
    assert again.matches == 0 and _alerts(state)[brute.rule_id].count == 6

    store.write([_ssh(100, 3, "success")])  # the attacker gets in
    runner.run_once()
    alerts = _alerts(state)
    assert {"c0c0c0c0-0000-0000-0000-000000000012", "c0c0c0c0-0000-0000-0000-000000000013"} <= set(
        alerts
    )
    success = alerts["c0c0c0c0-0000-0000-0000-000000000012"]
    assert success.rule_level == "critical" and "ssh-203.0.113.9-100" in success.event_ids
    assert alerts[brute.rule_id].count == 6  # the success did not add failures
    store.close()


def test_restart_resumes_from_the_checkpoint(
    setup: tuple[Path, StateDB, ScheduledRunner], tmp_path: Path
) -> None:
    events_path, state, runner = setup
    store = SqliteEventStore(events_path)
    store.write([_ssh(n, 1, "failure") for n in range(3)])
    runner.run_once()
    assert not _alerts(state)
    restarted = ScheduledRunner(events_path, state, runner.rules, AlertWriter(state), chunk_rows=4)
    store.write([_ssh(n, 2, "failure") for n in range(3, 6)])  # completes the window
    restarted.run_once()
    brute = _alerts(state)["c0c0c0c0-0000-0000-0000-000000000010"]
    assert brute.count == 6  # the 3 events before the restart are in the window too
    restarted.run_once()
    assert _alerts(state)["c0c0c0c0-0000-0000-0000-000000000010"].count == 6
    store.close()


def test_single_rules_run_scheduled_with_case_insensitive_match(tmp_path: Path) -> None:
    rules_file = tmp_path / "ssh.yml"
    rules_file.write_text(textwrap.dedent(RULES), encoding="utf-8")
    scheduled, _ = compile_scheduled(read_collection([rules_file]), singles=True)
    singles = [r for r in scheduled if r.kind == "single"]
    assert {r.info.id for r in singles} == {
        "c0c0c0c0-0000-0000-0000-000000000001",
        "c0c0c0c0-0000-0000-0000-000000000002",
    }
    store = SqliteEventStore(tmp_path / "events.db")
    store.write(
        [
            _ssh(1, 1, "success"),
            {
                **_ssh(2, 1, "success"),
                "event": {"id": "w", "dataset": "nginx.access", "outcome": "success"},
            },
        ]
    )
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    summary = ScheduledRunner(tmp_path / "events.db", state, singles, AlertWriter(state)).run_once()
    assert summary.matches == 1  # 'SUCCESS' matched 'success'; the nginx event is not linux.auth
    store.close()
