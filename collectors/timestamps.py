"""Fast ``@timestamp`` text for the hot parsers: per-second caches in front of ``soc.ecs``'s
generic ISO 8601 parsing and formatting, with identical results."""

from __future__ import annotations

from datetime import datetime

from soc.ecs import format_timestamp, normalise_timestamp

CACHE_SIZE = 8192  # distinct seconds (with their offset) remembered; cleared when full

_seconds: dict[str, str] = {}  # "YYYY-MM-DDTHH:MM:SS" + offset → the UTC second, same form
_last_moment: tuple[datetime | None, str] = (None, "")


def normalise_iso(text: str) -> str:
    """Same result as ``soc.ecs.normalise_timestamp`` (and the same ValueError on bad input).

    Records of one source share their second and offset, so only the fraction is new: the UTC
    second is cached per ``head + offset`` and the fraction appended as it came.
    """
    if len(text) < 19 or text[10] not in "T " or text[4] != "-" or text[16] != ":":
        return normalise_timestamp(text)
    rest = text[19:]
    if rest[:1] == ".":
        frac = rest[1:7]
        if len(frac) == 6 and frac.isdigit() and frac.isascii() and not rest[7:8].isdigit():
            zone = rest[7:]
        elif len(millis := rest[1:4]) == 3 and millis.isdigit() and millis.isascii():
            if rest[4:5].isdigit():
                return normalise_timestamp(text)
            frac, zone = millis + "000", rest[4:]
        else:
            return normalise_timestamp(text)
    else:
        frac, zone = "000000", rest
    if zone[-1:].isspace() or text[:1].isspace():
        return normalise_timestamp(text)
    key = text[:19] + zone
    second = _seconds.get(key)
    if second is None:
        second = normalise_timestamp(key)[:19]
        if len(_seconds) >= CACHE_SIZE:
            _seconds.clear()
        _seconds[key] = second
    return f"{second}.{frac}Z"


def received_stamp(moment: datetime) -> str:
    """``format_timestamp(moment)``, remembered for the last moment (a reader stamps a whole
    chunk of records with one ``received_at``)."""
    global _last_moment
    last = _last_moment
    if last[0] is moment:
        return last[1]
    text = format_timestamp(moment)
    _last_moment = (moment, text)
    return text
