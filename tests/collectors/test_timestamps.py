"""The cached timestamp paths give exactly what the generic parsing gives, errors included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors import syslog_header
from collectors.syslog_header import parse_header
from collectors.timestamps import format_moment, normalise_iso, received_stamp
from soc.ecs import format_timestamp, normalise_timestamp

MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.none()
)
OFFSETS = st.sampled_from(["", "Z", "+00:00", "-0600", "+07:00", "+0530", "-11:30", "+14:00"])
FRACTIONS = st.sampled_from(["", ".1", ".12", ".123", ".12345", ".123456", ".1234567", ".0"])


def generic(text: str) -> str | type[Exception]:
    try:
        return normalise_timestamp(text)
    except (ValueError, OverflowError) as e:
        return type(e)


def fast(text: str) -> str | type[Exception]:
    try:
        return normalise_iso(text)
    except (ValueError, OverflowError) as e:
        return type(e)


@given(MOMENTS, FRACTIONS, OFFSETS, st.sampled_from(["T", " "]))
def test_iso_stamps_match_the_generic_parser(
    moment: datetime, fraction: str, offset: str, separator: str
) -> None:
    text = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + fraction + offset
    assert fast(text) == generic(text)
    assert fast(text) == generic(text)  # the second time comes from the cache


@given(st.text(alphabet="0123456789-T:.+Z ²x", min_size=15, max_size=32))
def test_odd_texts_are_refused_or_read_alike(text: str) -> None:
    assert fast(text) == generic(text)


@pytest.mark.parametrize(
    "text",
    [
        "2015-03-29T11:01:38.221126-0600",
        "2015-03-29T11:01:38.221126-0600 ",
        " 2015-03-29T11:01:38.221126Z",
        "2015-02-30T11:01:38.221126Z",
        "2015-03-29T11:01:38.22a126Z",
        "2015-03-29T11:01:38.221126+25:00",
        "2015-03-29T11:01:38.221126",
        "0001-01-01T00:00:00.000000+01:00",
        "yesterday at noon, roughly",
    ],
)
def test_edge_cases_match_the_generic_parser(text: str) -> None:
    assert fast(text) == generic(text)
    assert fast(text) == generic(text)


def test_received_stamp_follows_the_moment() -> None:
    first = datetime(2026, 3, 1, 12, 0, 0, 5, tzinfo=UTC)
    second = first + timedelta(seconds=1)
    assert received_stamp(first) == format_timestamp(first)
    assert received_stamp(second) == format_timestamp(second)
    assert received_stamp(first) == "2026-03-01T12:00:00.000005Z"


def regex_header(line: str, received: datetime, tz: timezone | ZoneInfo) -> tuple[object, ...]:
    """The header as the regex path reads it (the plain-stamp shortcut disabled)."""
    original = syslog_header._plain_bsd_time
    syslog_header._plain_bsd_time = lambda *args: None  # type: ignore[assignment]
    try:
        header = parse_header(line, received, tz)
    finally:
        syslog_header._plain_bsd_time = original  # type: ignore[assignment]
    return header.timestamp, header.hostname, header.appname, header.message


@given(
    st.sampled_from(["Jan", "Feb", "Mar", "Dec", "Jun"]),
    st.sampled_from([" 1", "01", " 9", "29", "30", "31", "1 ", "0 ", " 0"]),
    st.sampled_from(["00:00:00", "23:59:59", "12:61:00", "24:00:00", "1x:00:00"]),
    st.sampled_from([" ", "  ", ": ", ".123 ", "x"]),
    st.sampled_from([UTC, timezone(timedelta(hours=7)), ZoneInfo("America/New_York")]),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_bsd_stamps_match_the_regex_path(
    month: str, day: str, clock: str, gap: str, tz: timezone | ZoneInfo, received: datetime
) -> None:
    line = f"{month} {day} {clock}{gap}host app[1]: text"
    header = parse_header(line, received, tz)
    expected = regex_header(line, received, tz)
    assert (header.timestamp, header.hostname, header.appname, header.message) == expected
    if header.timestamp is not None and header.stamp is not None:
        assert header.stamp == format_timestamp(header.timestamp)


def test_december_read_in_january_is_last_year() -> None:
    received = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    first = parse_header("Dec 31 23:59:00 host app: x", received, UTC)
    again = parse_header("Dec 31 23:59:00 host app: x", received, UTC)
    assert first.timestamp == again.timestamp == datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    assert again.stamp in (None, "2025-12-31T23:59:00.000000Z")


@pytest.mark.parametrize(
    "then",
    [
        "2026-03-01T08:00:00.000002+0700",
        "2026-03-01T08:00:00.000002+07:00",
        "2026-03-01T08:00:00.000002",
        "2026-03-01T08:00:00.0000021+0700",
        "2026-03-01T08:00:00.00002+0700",
        "2026-03-01T08:00:00.000002+0700 ",
        "2026-03-01T08:00:00.00000２+0700",
        "2026-03-01T08:00:00,000002+0700",
        "2026-03-01T08:00:00.000002Z",
        "2026-03-01T08:00:00.000002+07000",
        "2026-03-01T08:00:00.123+0700",
    ],
)
def test_a_second_already_seen_is_read_like_any_other(then: str) -> None:
    """The remembered second (offset +0700, six digits) must not answer other shapes."""
    assert fast("2026-03-01T08:00:00.000001+0700") == "2026-03-01T01:00:00.000001Z"
    assert fast(then) == generic(then)
    assert fast("2026-03-01T08:00:00.999999+0700") == "2026-03-01T01:00:00.999999Z"


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 2),
        max_value=datetime(2099, 12, 30),
        timezones=st.none()
        | st.just(UTC)
        | st.sampled_from([ZoneInfo("America/New_York"), ZoneInfo("Asia/Ho_Chi_Minh")])
        | st.sampled_from(
            [timezone(timedelta(hours=7)), timezone(timedelta(hours=-5, minutes=-30))]
        ),
        allow_imaginary=False,
    )
)
def test_format_moment_is_format_timestamp(moment: datetime) -> None:
    assert format_moment(moment) == format_timestamp(moment)
    assert format_moment(moment) == format_timestamp(moment)  # the second time remembered


def test_the_repeated_hour_of_a_zone_is_told_apart_by_fold() -> None:
    zone = ZoneInfo("America/New_York")
    first = datetime(2025, 11, 2, 1, 30, 0, 5, tzinfo=zone)
    second = first.replace(fold=1)
    assert format_moment(first) == "2025-11-02T05:30:00.000005Z"
    assert format_moment(second) == "2025-11-02T06:30:00.000005Z"
