"""Overview: counts from the state DB, volume from the store, a zero-filled local timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from soc.state.db import StateDB
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.views.charts import counts_figure, timeline_figure
from soc_dashboard.views.overview import bucket_times, overview_data
from tests.soc_dashboard.conftest import NOW, DownStore, seed_alert

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def seed(state: StateDB) -> None:
    seed_alert(state)
    seed_alert(state, rule_level="critical", status="acknowledged", engine="suricata", severity=90)
    seed_alert(state, rule_level="low", status="closed")
    old = NOW - timedelta(days=3)
    seed_alert(state, rule_level="high", first_seen=old, last_seen=old)


def test_counts_in_the_window(state: StateDB, store: SqliteEventStore) -> None:
    seed(state)
    with state.session() as s:
        data = overview_data(s, store, "24h", NOW + timedelta(seconds=1), HCM)
    assert data.new_alerts == 2  # the old one is new too: "new" ignores the window
    assert data.open_high == 3
    assert data.alerts_in_window == 3
    assert data.by_level == {"high": 1, "critical": 1, "low": 1}
    assert data.by_status == {"new": 1, "acknowledged": 1, "closed": 1}
    assert data.by_engine == {"sigma": 2, "suricata": 1}
    assert data.events_in_window.value == 9
    assert [(b.key, b.count) for b in data.datasets.value] == [
        ("linux.auth", 6),
        ("suricata.eve", 3),
    ]
    assert data.top_sources.value[0].key == "203.0.113.7"
    assert sum(n for _, n in data.timeline) == 3
    # Open alerts only, most severe first, then most recent.
    assert [(a.rule_level, a.status) for a in data.recent] == [
        ("critical", "acknowledged"),
        ("high", "new"),
        ("high", "new"),
    ]
    assert data.recent[1].last_seen > data.recent[2].last_seen


def test_all_time_window(state: StateDB, store: SqliteEventStore) -> None:
    seed(state)
    with state.session() as s:
        data = overview_data(s, store, "all", NOW + timedelta(seconds=1), HCM)
    assert data.alerts_in_window == 4
    assert sum(n for _, n in data.timeline) == 4


def test_store_outage_keeps_the_alert_counts(state: StateDB) -> None:
    seed(state)
    with state.session() as s:
        data = overview_data(s, DownStore(), "24h", NOW, HCM)
    assert data.alerts_in_window == 3
    assert data.events_in_window.value is None and data.events_in_window.error
    assert data.datasets.error and data.top_sources.error


def test_timeline_buckets_by_local_hour_with_zeros() -> None:
    now = datetime(2026, 12, 10, 3, 20, tzinfo=UTC)  # 10:20 in Đà Nẵng
    times = [now - timedelta(minutes=5), now - timedelta(minutes=10), now - timedelta(hours=2)]
    slots = bucket_times(times, now - timedelta(hours=3), now, HCM)
    assert [(s.strftime("%H:%M"), n) for s, n in slots] == [
        ("07:00", 0),
        ("08:00", 1),
        ("09:00", 0),
        ("10:00", 2),
    ]
    assert bucket_times([], None, now, HCM) == []


def test_timeline_uses_days_for_long_windows() -> None:
    now = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
    slots = bucket_times([now - timedelta(days=1)], now - timedelta(days=7), now, HCM)
    assert len(slots) == 8
    assert all(s.hour == 0 for s, _ in slots)


def test_figures_order_levels_and_print_values() -> None:
    fig = counts_figure("level", {"low": 2, "critical": 1, "weird": 4}, "vi")
    trace = fig["data"][0]
    # Drawn bottom-up: the most severe level ends on top.
    assert trace["y"] == ["weird", "Thấp", "Nghiêm trọng"]
    assert trace["text"] == ["4", "2", "1"]
    stamps = timeline_figure([(datetime(2026, 12, 10, 10, tzinfo=HCM), 3)])["data"][0]["x"]
    assert stamps == ["2026-12-10 10:00"]
