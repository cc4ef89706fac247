"""An administrator adds a system and an evidence record through the console's forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys

from soc.inventory import evidence_row
from soc.state.db import StateDB
from soc.state.models import System
from tests.browser.test_console import keep_screenshot, sign_in
from tests.soc_dashboard.conftest import seed_inventory

pytestmark = pytest.mark.browser


def _type(dash_duo: Any, selector: str, text: str) -> None:
    """Replace a field's text the way a person does (React ignores Selenium's ``clear()``)."""
    field = dash_duo.find_element(selector)
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def test_admin_adds_a_system_and_an_evidence_record(
    dash_duo: Any, app: Any, state: StateDB, tmp_path: Path
) -> None:
    seed_inventory(state)
    dash_duo.start_server(app, navigate=False)
    sign_in(dash_duo, "/systems", "boss")
    dash_duo.wait_for_contains_text("#systems-table", "Cổng dịch vụ công", timeout=15)

    dash_duo.find_element("#systems-sys-new").click()
    dash_duo.wait_for_contains_text("#systems-sys-title", "Thêm hệ thống thông tin")
    _type(dash_duo, "#systems-sys-f-id", "dng-hanhchinh")
    _type(dash_duo, "#systems-sys-f-name", "Hệ thống quản lý hành chính")
    dash_duo.select_dcc_dropdown("#systems-sys-f-owner", index=0)
    dash_duo.select_dcc_dropdown("#systems-sys-f-classification-system_type", index=0)
    _type(dash_duo, "#systems-sys-f-ip_ranges", "10.10.30.0/24\n10.10.31.7/24")
    dash_duo.find_element("#systems-sys-save").click()
    # A wrong value is shown beside its field, in the console's language, and nothing is saved.
    dash_duo.wait_for_contains_text("#systems-sys-f-ip_ranges-error", "dòng 2", timeout=15)
    dash_duo.wait_for_contains_text("#systems-sys-result", "Chưa lưu")
    keep_screenshot(dash_duo, tmp_path, "systems-form-error.png")
    with state.session() as s:
        assert s.get(System, "dng-hanhchinh") is None

    _type(dash_duo, "#systems-sys-f-ip_ranges", "10.10.30.0/24")
    dash_duo.find_element("#systems-sys-save").click()
    dash_duo.wait_for_contains_text("#systems-sys-result", "Đã thêm", timeout=15)
    dash_duo.wait_for_contains_text("#systems-table", "Hệ thống quản lý hành chính", timeout=15)
    assert dash_duo.find_element("#systems-sys-f-id").get_attribute("disabled")
    with state.session() as s:
        system = s.get(System, "dng-hanhchinh")
        assert system is not None and system.agency_id == "dng-stttt"
        assert system.ip_ranges == ["10.10.30.0/24"]

    dash_duo.driver.get(dash_duo.server.url + "/evidence")
    dash_duo.wait_for_contains_text("#evidence-count", "Chưa có bằng chứng", timeout=15)
    dash_duo.find_element("#evidence-rec-new").click()
    dash_duo.wait_for_contains_text("#evidence-rec-title", "Thêm bằng chứng")
    _type(dash_duo, "#evidence-rec-f-id", "hanhchinh-pentest-2026")
    dash_duo.select_dcc_dropdown("#evidence-rec-f-kind", value="Kiểm thử xâm nhập")
    dash_duo.select_dcc_dropdown("#evidence-rec-f-system", value="dng-hanhchinh")
    _type(dash_duo, "#evidence-rec-f-issued_on", "2026-03-01")
    _type(dash_duo, "#evidence-rec-f-provider", "Công ty An ninh mạng Hải Vân")
    _type(dash_duo, "#evidence-rec-f-reference", "07/2026/BC-HV")
    dash_duo.find_element("#evidence-rec-save").click()
    dash_duo.wait_for_contains_text("#evidence-rec-result", "Đã thêm", timeout=15)
    dash_duo.wait_for_contains_text("#evidence-table", "hanhchinh-pentest-2026", timeout=15)
    keep_screenshot(dash_duo, tmp_path, "evidence-page.png")
    with state.session() as s:
        row = evidence_row(s, "hanhchinh-pentest-2026")
        assert row is not None and row.kind == "pentest" and row.system_id == "dng-hanhchinh"
        assert row.reference == "07/2026/BC-HV"
    assert dash_duo.get_logs() == []
