"""Syslog header parsing: RFC 5424, RFC 3164 (and the common file variants) into typed parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from soc.ecs import format_timestamp

FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
    "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}

_PRI = re.compile(r"<(\d{1,3})>")
_RFC5424 = re.compile(r"1 (\S+) (\S+) (\S+) (\S+) (\S+)(?: |$)")
_BSD_TIME = re.compile(
    r"(?:(?P<y1>\d{4}) )?(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +"
    r"(?P<day>\d{1,2}) (?:(?P<y2>\d{4}) )?(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)"
    r"(?:\.(?P<frac>\d{1,6}))?:? +"
)
_ISO_TIME = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) +")
_TAG = re.compile(
    r"([A-Za-z0-9_./@-][^\s\[\]():]{0,63})(?:\(([^)\s]{0,64})\))?(?:\[(\d{1,10})\])?:$"
)
_SD_PARAM = re.compile(r'\s*([^\s=\]"]{1,32})="((?:[^"\\]|\\.)*)"')
_DIGITS = frozenset("0123456789")
CACHE_SIZE = 8192
# "Mmm dd hh:mm:ss" with its year and zone → (datetime or None, its @timestamp text)
_bsd_seconds: dict[tuple[str, int, tzinfo], tuple[datetime | None, str | None]] = {}
_tags: dict[str, tuple[str | None, ...] | None] = {}  # "sshd[42]:" → (app, subsystem, pid)
_years: tuple[datetime | None, tzinfo | None, int, datetime] = (None, None, 0, datetime.min)


@dataclass(slots=True)
class SyslogHeader:
    """What the header said; ``message`` is the rest (``MSG``)."""

    message: str
    priority: int | None = None
    timestamp: datetime | None = None
    hostname: str | None = None
    appname: str | None = None
    procid: str | None = None
    msgid: str | None = None
    version: int | None = None
    subsystem: str | None = None
    structured_data: dict[str, dict[str, str]] = field(default_factory=dict)
    stamp: str | None = None  # ``timestamp`` as ECS ``@timestamp`` text, when already known

    @property
    def facility(self) -> int | None:
        return None if self.priority is None else self.priority >> 3

    @property
    def severity(self) -> int | None:
        return None if self.priority is None else self.priority & 7


def parse_header(line: str, received: datetime, local_tz: tzinfo) -> SyslogHeader:
    """Split a syslog line; a line without a recognisable header is all message (RFC 3164 §4.3.3).

    ``received`` supplies the year RFC 3164 omits; ``local_tz`` is the senders' time zone.
    """
    priority = None
    rest = line
    pri = _PRI.match(line) if line[:1] == "<" else None
    if pri and int(pri.group(1)) <= 191:
        priority = int(pri.group(1))
        rest = line[pri.end() :]
        modern = _RFC5424.match(rest)
        if modern:
            return _rfc5424(modern, rest, priority)
    header = SyslogHeader(message=rest, priority=priority)
    rest = _take_timestamp(header, rest, received, local_tz)
    _take_host_and_tag(header, rest, had_time=header.timestamp is not None)
    return header


def _nil(value: str) -> str | None:
    return None if value == "-" else value


def _rfc5424(match: re.Match[str], rest: str, priority: int) -> SyslogHeader:
    stamp, host, app, procid, msgid = match.groups()
    header = SyslogHeader(
        message="",
        priority=priority,
        hostname=_nil(host),
        appname=_nil(app),
        procid=_nil(procid),
        msgid=_nil(msgid),
        version=1,
    )
    if stamp != "-":
        header.timestamp = _iso(stamp)
    body = rest[match.end() :]
    body = _structured_data(header, body)
    header.message = body.removeprefix("\ufeff")
    return header


def _structured_data(header: SyslogHeader, body: str) -> str:
    if body.startswith("- ") or body == "-":
        return body[2:]
    while body.startswith("["):
        end = _sd_element_end(body)
        if end < 0:
            break
        sd_id, _, params = body[1:end].partition(" ")
        header.structured_data[sd_id] = {
            k: v.replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\")
            for k, v in _SD_PARAM.findall(params)
        }
        body = body[end + 1 :]
    return body[1:] if body.startswith(" ") else body


def _sd_element_end(body: str) -> int:
    in_quotes = False
    i = 1
    while i < len(body):
        c = body[i]
        if c == "\\" and in_quotes:
            i += 2
            continue
        if c == '"':
            in_quotes = not in_quotes
        elif c == "]" and not in_quotes:
            return i
        i += 1
    return -1


def _iso(text: str) -> datetime | None:
    value = text.replace(" ", "T", 1)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # Python wants at most 6 fractional digits
        head, _, tail = value.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        value = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _take_timestamp(header: SyslogHeader, rest: str, received: datetime, tz: tzinfo) -> str:
    if (
        len(rest) > 16
        and rest[15] == " "
        and rest[3] == " "
        and rest[6] == " "
        and rest[9] == ":"
        and rest[12] == ":"
        and rest[:3] in _MONTHS
    ):
        after = _plain_bsd_time(header, rest, received, tz)
        if after is not None:
            return after
    bsd = _BSD_TIME.match(rest)
    if bsd:
        header.timestamp = _bsd_time(bsd, received, tz)
        return rest[bsd.end() :] if header.timestamp else rest
    iso = _ISO_TIME.match(rest)
    if iso:
        moment = _iso(iso.group(1))
        if moment is not None:
            header.timestamp = moment if moment.tzinfo else moment.replace(tzinfo=tz)
            return rest[iso.end() :]
    return rest


def _plain_bsd_time(header: SyslogHeader, rest: str, received: datetime, tz: tzinfo) -> str | None:
    """The common ``Mmm dd hh:mm:ss `` stamp without the regex, cached per second; None when
    ``rest`` only looks like one (the regex then decides)."""
    day, clock = rest[4:6], rest[7:15]
    if not (
        (day[0] == " " or day[0] in _DIGITS)
        and day[1] in _DIGITS
        and _DIGITS.issuperset(clock[:2] + clock[3:5] + clock[6:])
    ):
        return None
    if received.tzinfo is None:
        return None
    year, soon = _year(received, tz)
    key = (rest[:15], year, tz)
    known = _bsd_seconds.get(key)
    if known is None:
        try:
            moment: datetime | None = datetime(
                year, _MONTHS[rest[:3]], int(day), int(clock[:2]), int(clock[3:5]),
                int(clock[6:]), tzinfo=tz,
            )  # fmt: skip
        except ValueError:
            moment = None
        known = (moment, None if moment is None else format_timestamp(moment))
        if len(_bsd_seconds) >= CACHE_SIZE:
            _bsd_seconds.clear()
        _bsd_seconds[key] = known
    moment, stamp = known
    if moment is not None and moment > soon:  # last year's December, read in January
        try:
            moment, stamp = moment.replace(year=year - 1), None
        except ValueError:
            moment = None
    header.timestamp, header.stamp = moment, stamp
    return rest[15:].lstrip(" ") if moment is not None else rest


def _year(received: datetime, tz: tzinfo) -> tuple[int, datetime]:
    """The senders' current year and the limit past which a stamp is last year's, remembered
    for the last ``received`` (one per chunk of a file)."""
    global _years
    last = _years
    if last[0] is received and last[1] is tz:
        return last[2], last[3]
    year, soon = received.astimezone(tz).year, received.astimezone(UTC) + timedelta(days=2)
    _years = (received, tz, year, soon)
    return year, soon


def _bsd_time(match: re.Match[str], received: datetime, tz: tzinfo) -> datetime | None:
    explicit = match.group("y1") or match.group("y2")
    year = int(explicit) if explicit else received.astimezone(tz).year
    frac = (match.group("frac") or "0").ljust(6, "0")
    try:
        moment = datetime(
            year,
            _MONTHS[match.group("mon")],
            int(match.group("day")),
            int(match.group("h")),
            int(match.group("m")),
            int(match.group("s")),
            int(frac),
            tzinfo=tz,
        )
    except ValueError:
        return None
    # No year in RFC 3164: a date well in the future is last year's (December read in January).
    if not explicit and moment - received > timedelta(days=2):
        try:
            moment = moment.replace(year=year - 1)
        except ValueError:
            return None
    return moment


def _take_host_and_tag(header: SyslogHeader, rest: str, *, had_time: bool) -> None:
    first, _, after_first = rest.partition(" ")
    if not had_time:
        # Without a timestamp only a PRI makes "word:" a tag; otherwise it is message text.
        tagged = header.priority is not None and _tag(header, first)
        header.message = after_first if tagged else rest
        return
    if _tag(header, first):
        header.message = after_first
        return
    if first.startswith("%"):  # a Cisco message id right after the time: no host, no tag
        header.message = rest
        return
    header.hostname = first or None
    second, _, after_second = after_first.partition(" ")
    if second == ":" or _tag(header, second):  # ":" alone: Cisco's "host : %ASA-…"
        header.message = after_second
    else:
        header.message = after_first


def _tag(header: SyslogHeader, token: str) -> bool:
    if not token.endswith(":"):
        return False
    parts = _tags.get(token, ())
    if parts == ():
        match = _TAG.match(token)
        parts = match.groups() if match else None
        if len(_tags) >= CACHE_SIZE:
            _tags.clear()
        _tags[token] = parts
    if parts is None:
        return False
    header.appname, header.subsystem, header.procid = parts
    return True
