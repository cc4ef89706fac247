"""Shared helpers of the views: time windows, guarded store reads, small formatting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from soc.ecs import get_field, parse_timestamp
from soc.errors import SocError

T = TypeVar("T")

WINDOWS: dict[str, timedelta | None] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
}
DEFAULT_WINDOW = "24h"


def window_start(window: str | None, now: datetime) -> datetime | None:
    """Start of a named window ending ``now``; unknown names fall back to the default window."""
    span = WINDOWS.get(window or DEFAULT_WINDOW, WINDOWS[DEFAULT_WINDOW])
    return now - span if span is not None else None


def clamp(value: Any, low: int, high: int, default: int) -> int:
    """An integer from user input, kept inside ``[low, high]``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """A store read that may have failed: the page shows the error and keeps the rest working."""

    value: T
    error: str | None = None


def guarded(read: Callable[[], T], fallback: T) -> Outcome[T]:
    try:
        return Outcome(read())
    except SocError as e:
        return Outcome(fallback, str(e))


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event_time(event: dict[str, Any]) -> datetime | None:
    stamp = get_field(event, "@timestamp")
    if not isinstance(stamp, str):
        return None
    try:
        return parse_timestamp(stamp)
    except ValueError:
        return None


def text_of(value: Any, limit: int = 200) -> str:
    """A scalar or list shown in one table cell, cut to ``limit`` characters."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
