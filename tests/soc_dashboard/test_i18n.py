"""Texts exist in both languages with the same placeholders; times are shown in the city's zone."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soc.errors import ConfigError
from soc_dashboard.i18n import MESSAGES, format_time, label, t, utc_offset_label, zone_of

SOURCE = Path(__file__).resolve().parents[2] / "soc_dashboard"
# t("key", ...) with a literal key; f-string keys are checked through their kinds below.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    vi, en = MESSAGES[key]
    assert vi.strip() and en.strip()
    assert _fields(vi) == _fields(en)


def test_every_literal_key_used_in_the_console_exists() -> None:
    used = {
        key
        for path in SOURCE.rglob("*.py")
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 50
    assert sorted(used - MESSAGES.keys()) == []


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("status", ("new", "acknowledged", "in_progress", "closed", "false_positive")),
        ("level", ("informational", "low", "medium", "high", "critical")),
        ("action", ("acknowledge", "close", "false_positive")),
        ("compliance_status", ("pass", "fail", "not_applicable", "unknown")),
        ("role", ("admin", "analyst", "auditor", "drill_leader")),
        ("window", ("1h", "24h", "7d", "30d", "all")),
    ],
)
def test_enumerations_are_translated(kind: str, values: tuple[str, ...]) -> None:
    for value in values:
        assert f"{kind}.{value}" in MESSAGES


def test_unknown_values_show_as_they_are() -> None:
    assert label("status", "escalated", "vi") == "escalated"
    assert t("no.such.key", "en") == "no.such.key"
    assert t("login.throttled", "en", minutes=15).endswith("15 minutes.")


def test_times_in_ho_chi_minh_city() -> None:
    tz = zone_of("Asia/Ho_Chi_Minh")
    moment = datetime(2026, 12, 31, 17, 5, 9, tzinfo=UTC)
    assert format_time(moment, tz, "vi") == "01/01/2027 00:05:09"
    assert format_time(moment, tz, "en", seconds=False) == "2027-01-01 00:05"
    # SQLite hands back naive datetimes: they are UTC.
    assert format_time(moment.replace(tzinfo=None), tz, "vi") == "01/01/2027 00:05:09"
    assert format_time(None, tz, "vi") == ""
    assert utc_offset_label(tz, moment) == "Asia/Ho_Chi_Minh (GMT+07:00)"


def test_unknown_time_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="time zone"):
        zone_of("Mars/Olympus_Mons")
