"""The thin end-to-end path: files → ``soc ingest`` → event store → Sigma (streaming) → alert
rows → the alert on the console's Alerts page in a real headless browser."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from soc.cli.main import main
from soc.config import load_settings
from soc.demo import write_demo_files
from soc.ecs import utc_now
from soc.runtime import Platform
from soc.state.models import Alert
from soc.stores.base import EventQuery
from soc_dashboard.accounts import add_user
from soc_dashboard.app import create_app

PASSWORD = "e2e-analyst-password-2026"


def ingest(capsys: pytest.CaptureFixture[str], source_type: str, *files: Path) -> dict[str, int]:
    assert main(["ingest", "--source-type", source_type, "--json", *map(str, files)]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.fixture
def ingested(soc_home: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    files = write_demo_files(soc_home / "demo", now=utc_now() - timedelta(minutes=5))
    eve = ingest(capsys, "suricata-eve", files["suricata-eve"])
    auth = ingest(capsys, "syslog", files["syslog"])
    # correlation rules (brute force, success after failures) run on the scheduler of `soc up`;
    # here once, as the scheduler would
    assert main(["sigma", "run-scheduled"]) == 0
    capsys.readouterr()
    return {"eve": eve, "auth": auth}


def sigma_alerts(soc_home: Path) -> list[Alert]:
    platform = Platform.open(load_settings(environ={"SOC_HOME": str(soc_home)}))
    try:
        with platform.state.session() as s:
            return list(s.scalars(select(Alert).where(Alert.engine == "sigma")))
    finally:
        platform.close()


def test_syslog_and_eve_become_events_and_sigma_alerts(
    soc_home: Path, ingested: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ingested["eve"]["ingested"] == 80 and ingested["auth"]["ingested"] == 26
    alerts = sigma_alerts(soc_home)
    assert alerts, "a Sigma rule fires on the SSH brute force in the auth log"
    platform = Platform.open(load_settings(environ={"SOC_HOME": str(soc_home)}))
    try:
        for alert in alerts:
            matched = platform.store.search(EventQuery(ids=tuple(alert.event_ids), limit=1000))
            assert matched, f"alert {alert.rule_title} points at stored events"
            assert {e["event"]["dataset"] for e in matched} <= {"linux.auth", "suricata.eve"}
    finally:
        platform.close()
    assert {"SSH Brute Force From One Address"} <= {a.rule_title for a in alerts}
    # re-ingesting and re-running adds no event and no alert
    again = ingest(capsys, "syslog", soc_home / "demo" / "auth.log")
    assert again["ingested"] == 0 and again["duplicates"] == 26
    assert main(["sigma", "run-scheduled"]) == 0
    assert sorted((a.rule_id, a.count) for a in sigma_alerts(soc_home)) == sorted(
        (a.rule_id, a.count) for a in alerts
    )


@pytest.mark.browser
def test_the_alert_is_on_the_console(
    soc_home: Path, ingested: dict[str, Any], dash_duo: Any
) -> None:
    title = sigma_alerts(soc_home)[0].rule_title
    settings = load_settings(environ={"SOC_HOME": str(soc_home)})
    platform = Platform.open(settings)
    try:
        with platform.state.session() as s:
            add_user(s, "e2e", PASSWORD, "analyst", actor="test")
        dash_duo.start_server(
            create_app(settings, state=platform.state, store=platform.store), navigate=False
        )
        dash_duo.driver.get(dash_duo.server.url + "/alerts")
        dash_duo.wait_for_element("#login-username").send_keys("e2e")
        dash_duo.find_element("#login-password").send_keys(PASSWORD)
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_contains_text("#alerts-table", title[:40], timeout=20)
        assert not [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]
    finally:
        platform.close()


def test_a_brute_force_on_many_accounts_is_one_alert_about_the_address(
    soc_home: Path, ingested: dict[str, Any]
) -> None:
    brute = [
        a for a in sigma_alerts(soc_home) if a.rule_title == "SSH Brute Force From One Address"
    ]
    assert len(brute) == 1  # the demo tries root, admin, oracle and test from one address
    assert brute[0].entities.get("source_ip") == "198.51.100.23"
    assert "user" not in brute[0].entities
