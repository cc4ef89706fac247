"""Event search views: bounded queries from raw form values, rows, JSON detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.views.events import (
    MAX_JSON_CHARS,
    build_query,
    dataset_choices,
    event_json,
    event_row,
    event_summary,
)
from tests.soc_dashboard.conftest import make_event

NOW = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_query_from_form_values_is_bounded() -> None:
    q = build_query("linux.auth", "7d", "  sshd  ", "100000", NOW)
    assert q == EventQuery(
        dataset="linux.auth", since=NOW - timedelta(days=7), text="sshd", limit=1000
    )
    assert build_query(None, "all", "", None, NOW) == EventQuery(limit=100)
    assert build_query(["x"], "bogus", "x" * 5000, -5, NOW).text == "x" * 200
    assert build_query(None, "bogus", None, "abc", NOW).since == NOW - timedelta(hours=24)


def test_search_through_the_store(store: SqliteEventStore) -> None:
    found = store.search(build_query("suricata.eve", "24h", "et scan", 50, datetime.now(UTC)))
    assert len(found) == 3
    assert dataset_choices(store, None) == ["linux.auth", "suricata.eve"]


def test_rows_and_summary() -> None:
    event = make_event(7)
    event["@timestamp"] = "2026-12-10T03:00:00.000000Z"
    row = event_row(event, "vi", HCM)
    assert row == {
        "id": "ev-0007",
        "time": "10/12/2026 10:00:00",
        "dataset": "linux.auth",
        "source_ip": "203.0.113.7",
        "destination_ip": "10.10.1.5",
        "host": "portal-web-01",
        "user": "root",
        "summary": "Failed password for root #7",
    }
    assert event_summary({"rule": {"name": "ET POLICY"}}) == "ET POLICY"
    assert event_summary({}) == ""
    assert event_row({"@timestamp": "garbage"}, "vi", HCM)["time"] == ""


def test_json_detail_is_cut_for_huge_events() -> None:
    text = event_json({"message": "x" * (2 * MAX_JSON_CHARS)})
    assert len(text) <= MAX_JSON_CHARS + 2
    assert text.endswith("…")
    assert '"message": "abc"' in event_json({"message": "abc"})
