"""Wiring from the settings: the streaming observer and the scheduled runner on our rules."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from detections.runtime import scheduled_runner, streaming_detector
from soc.config import load_settings
from soc.state.db import open_state
from soc.state.models import Alert
from soc.stores.sqlite import SqliteEventStore


def _event(n: int, url: str) -> dict[str, object]:
    return {
        "@timestamp": f"2026-03-01T02:00:{n:02d}.000000Z",
        "event": {"id": f"w{n}", "dataset": "nginx.access"},
        "source": {"ip": "203.0.113.50"},
        "url": {"original": url},
    }


def test_streaming_detector_alerts_with_the_project_rules(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", environ={})
    state = open_state(settings.state_url)
    detector = streaming_detector(settings, state)
    detector.committed([_event(1, "/a?f=../../etc/passwd"), _event(2, "/thu-tuc?id=7")])
    with state.session() as s:
        (alert,) = s.scalars(select(Alert))
    assert alert.rule_title == "Path Traversal Attempt Against a Web Application"
    assert (tmp_path / "home" / "cache" / "sigma").is_dir()  # compiled rules cached for next start


def test_scheduled_runner_runs_the_project_correlations(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", environ={})
    state = open_state(settings.state_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    store = SqliteEventStore(settings.events_path)
    store.write(
        [
            {
                "@timestamp": f"2026-03-01T02:00:{n:02d}.000000Z",
                "event": {
                    "id": f"s{n}",
                    "dataset": "linux.auth",
                    "action": "ssh_login",
                    "outcome": "failure",
                },
                "process": {"name": "sshd"},
                "source": {"ip": "203.0.113.9"},
            }
            for n in range(12)
        ]
    )
    store.close()
    summary = scheduled_runner(settings, state).run_once()
    assert not summary.errors and summary.alerts.created >= 1
    with state.session() as s:
        titles = {a.rule_title for a in s.scalars(select(Alert))}
    assert "SSH Brute Force From One Address" in titles
