"""Parsing the times users type: ISO 8601 or a relative span such as ``15m``, ``24h``, ``7d``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from soc.ecs import parse_timestamp, utc_now
from soc.errors import SocError

_SPAN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``24h`` → 24 hours ago; ``2026-11-01`` or ``2026-11-01T08:00:00+07:00`` → that moment."""
    match = _SPAN.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return (now or utc_now()) - timedelta(**{_UNITS[unit]: amount})
    try:
        return parse_timestamp(text)
    except ValueError as e:
        raise SocError(
            f"cannot read the time {text!r}",
            hint="use ISO 8601 (2026-11-01T08:00:00+07:00) or a span like 15m, 24h, 7d",
        ) from e
