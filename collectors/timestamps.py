"""Fast ``@timestamp`` text for the hot parsers: per-second caches in front of ``soc.ecs``'s
generic ISO 8601 parsing and formatting, with identical results."""

from __future__ import annotations

from datetime import datetime

from soc.ecs import format_timestamp, normalise_timestamp

CACHE_SIZE = 8192  # distinct seconds (with their offset) remembered; cleared when full

_seconds: dict[str, str] = {}  # "YYYY-MM-DDTHH:MM:SS" + offset → the UTC second, same form
# "YYYY-MM-DDTHH:MM:SS" → (offset, UTC second) of the last stamp with six fractional digits
# read for that second: the shape of (almost) every eve.json time, checked with fewer steps
_heads: dict[str, tuple[str, str]] = {}
_last_moment: tuple[datetime | None, str] = (None, "")
# (moment to the second, fold) → its UTC second as text; fold is part of the key because two
# times of one zone that differ only by fold compare (and hash) equal, yet are an hour apart
_moments: dict[tuple[datetime, int], str] = {}


def normalise_iso(text: str) -> str:
    """Same result as ``soc.ecs.normalise_timestamp`` (and the same ValueError on bad input).

    Records of one source share their second and offset, so only the fraction is new: the UTC
    second is cached per ``head + offset`` and the fraction appended as it came.
    """
    known = _heads.get(text[:19])
    if known is not None:
        zone, second = known
        if len(text) == 26 + len(zone) and text[19] == "." and text.endswith(zone):
            frac = text[20:26]
            if frac.isdigit() and frac.isascii():
                return f"{second}.{frac}Z"
    return _normalise_parts(text)


def _normalise_parts(text: str) -> str:
    """``normalise_iso`` the longer way: split head, fraction and offset, then the cache."""
    if len(text) < 19 or text[10] not in "T " or text[4] != "-" or text[16] != ":":
        return normalise_timestamp(text)
    rest = text[19:]
    six = False  # six fractional digits
    if rest[:1] == ".":
        frac = rest[1:7]
        if len(frac) == 6 and frac.isdigit() and frac.isascii() and not rest[7:8].isdigit():
            zone, six = rest[7:], True
        elif len(millis := rest[1:4]) == 3 and millis.isdigit() and millis.isascii():
            if rest[4:5].isdigit():
                return normalise_timestamp(text)
            frac, zone = millis + "000", rest[4:]
        else:
            return normalise_timestamp(text)
    elif rest[:1] in ("", "Z", "+", "-"):
        frac, zone = "000000", rest
    else:  # "," before the fraction (ISO 8601 allows it), or anything unusual
        return normalise_timestamp(text)
    if zone[-1:].isspace() or text[:1].isspace():
        return normalise_timestamp(text)
    key = text[:19] + zone
    second = _seconds.get(key)
    if second is None:
        second = normalise_timestamp(key)[:19]
        if len(_seconds) >= CACHE_SIZE:
            _seconds.clear()
            _heads.clear()
        _seconds[key] = second
    if six:
        _heads[text[:19]] = (zone, second)  # the shape the first lines above check
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


def format_moment(moment: datetime) -> str:
    """``format_timestamp(moment)``, the UTC second remembered (strftime is the slow part).

    For offsets in whole seconds, which are all a syslog header or an IANA zone can give.
    """
    micro = moment.microsecond
    key = (moment.replace(microsecond=0) if micro else moment, moment.fold)
    second = _moments.get(key)
    if second is None:
        second = format_timestamp(key[0])[:19]
        if len(_moments) >= CACHE_SIZE:
            _moments.clear()
        _moments[key] = second
    return f"{second}.{micro:06d}Z"
