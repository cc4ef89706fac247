"""The console in a real (headless) browser: sign in, handle an alert, switch language."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from soc.state.db import StateDB
from soc.state.models import Alert
from tests.soc_dashboard.conftest import PASSWORD, seed_alert, seed_compliance, seed_inventory

pytestmark = pytest.mark.browser
TITLE = "SSH brute force against the portal"


def sign_in(dash_duo: Any, path: str, username: str) -> None:
    dash_duo.driver.get(dash_duo.server.url + path)
    dash_duo.wait_for_element("#login-username").send_keys(username)
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()


def keep_screenshot(dash_duo: Any, tmp_path: Path, name: str) -> Path:
    """Saved beside the test; also copied to $SOC_SCREENSHOT_DIR when set (for people to look)."""
    path = tmp_path / name
    dash_duo.driver.save_screenshot(str(path))
    target = os.environ.get("SOC_SCREENSHOT_DIR")
    if target:
        shutil.copy(path, Path(target) / name)
    return path


def test_analyst_acknowledges_an_alert_and_switches_language(
    dash_duo: Any, app: Any, state: StateDB, tmp_path: Path
) -> None:
    seed_inventory(state)
    alert_id = seed_alert(state)
    seed_alert(
        state,
        rule_title="ET SCAN Nmap from the Internet",
        rule_level="medium",
        engine="suricata",
        status="acknowledged",
        rule_id="sid-2010937",
    )
    dash_duo.start_server(app, navigate=False)

    sign_in(dash_duo, "/alerts", "ana")
    dash_duo.wait_for_contains_text("#alerts-table", TITLE, timeout=15)
    dash_duo.wait_for_contains_text("#alerts-count", "2 cảnh báo")
    row_button = f"//table//button[contains(@class, 'row-open') and text()='{TITLE}']"
    dash_duo.driver.find_element(By.XPATH, row_button).click()
    dash_duo.wait_for_contains_text("#alerts-detail-heading", TITLE)
    dash_duo.wait_for_contains_text("#alerts-detail", "Failed password for root")
    WebDriverWait(dash_duo.driver, 10).until(
        ec.element_to_be_clickable((By.ID, "alerts-action-acknowledge"))
    )
    dash_duo.find_element("#alerts-note").send_keys("Đã gọi cho Sở TT&TT")
    keep_screenshot(dash_duo, tmp_path, "alerts-page.png")
    dash_duo.find_element("#alerts-action-acknowledge").click()
    dash_duo.wait_for_contains_text("#alerts-result", "Đã tiếp nhận")
    with state.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None and alert.status == "acknowledged"
    assert not dash_duo.find_element("#alerts-action-close").get_attribute("disabled")

    dash_duo.find_element("#shell-lang-en").click()
    dash_duo.wait_for_contains_text("#shell-nav", "Alerts", timeout=15)
    dash_duo.wait_for_contains_text("#alerts-table", "Acknowledged")
    assert dash_duo.driver.current_url.endswith("/alerts")
    assert dash_duo.get_logs() == []


def test_auditor_sees_compliance_not_alerts(dash_duo: Any, app: Any, state: StateDB) -> None:
    seed_inventory(state)
    seed_compliance(state)
    dash_duo.start_server(app, navigate=False)
    sign_in(dash_duo, "/", "audi")
    dash_duo.wait_for_contains_text("#compliance-results", "log.central", timeout=15)
    nav = dash_duo.find_element("#shell-nav").text
    assert "Tuân thủ" in nav and "Cảnh báo" not in nav
    dash_duo.driver.get(dash_duo.server.url + "/alerts")
    dash_duo.wait_for_contains_text("#_pages_content", "không được xem", timeout=15)
    assert dash_duo.get_logs() == []


def test_wrong_password_stays_on_the_sign_in_form(dash_duo: Any, app: Any) -> None:
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/events")
    dash_duo.wait_for_element("#login-username").send_keys("ana")
    dash_duo.find_element("#login-password").send_keys("wrong-password")
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_contains_text("#login-error", "không đúng")
    assert "/login" in dash_duo.driver.current_url
