"""Reading indicator feeds: CSV, STIX 2.1 bundles and MISP JSON, each with its source and expiry.

Loaders collect every problem instead of stopping at the first; an unusable entry is skipped
and reported with its position, a file that cannot be read at all raises ``ContentError``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from enrichment.threat_intel import Indicator, IndicatorType, normalise
from soc.ecs import parse_timestamp, utc_now
from soc.errors import ContentError

MAX_FEED_BYTES = 200 * 1_048_576
CSV_TYPES: dict[str, IndicatorType] = {
    "ip": "ipv4-addr", "ipv4": "ipv4-addr", "ipv4-addr": "ipv4-addr", "ipv6": "ipv6-addr",
    "ipv6-addr": "ipv6-addr", "cidr": "cidr", "network": "cidr", "domain": "domain-name",
    "domain-name": "domain-name", "hostname": "domain-name", "url": "url", "md5": "file",
    "sha1": "file", "sha256": "file", "hash": "file", "file": "file",
}  # fmt: skip
MISP_TYPES: dict[str, IndicatorType] = {
    "ip-src": "ipv4-addr", "ip-dst": "ipv4-addr", "domain": "domain-name",
    "hostname": "domain-name", "url": "url", "uri": "url", "md5": "file", "sha1": "file",
    "sha256": "file",
}  # fmt: skip
_STIX_TERM = re.compile(
    r"(ipv4-addr|ipv6-addr|domain-name|url|file):(value|hashes\.'?(?:MD5|SHA-1|SHA-256)'?)"
    r"\s*=\s*'((?:[^'\\]|\\.)*)'"
)


class FeedErrors(ContentError):
    """Problems found in one feed (the usable indicators are still returned)."""


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise ContentError(f"feed larger than {MAX_FEED_BYTES} bytes", source=path)
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError(f"cannot read the feed: {e}", source=path) from e


def _make(kind: IndicatorType, value: str, provider: str, **extra: Any) -> Indicator:
    if kind == "ipv4-addr" and ":" in value:
        kind = "ipv6-addr"
    if kind in ("ipv4-addr", "ipv6-addr") and "/" in value:
        kind = "cidr"
    return Indicator(kind, normalise(kind, value), provider, **extra)


def load_csv(path: Path, provider: str | None = None) -> tuple[list[Indicator], list[str]]:
    """Columns: ``type,value[,provider,expires,confidence,description]`` with a header row."""
    text = _read(path)
    found: list[Indicator] = []
    problems: list[str] = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        kind = CSV_TYPES.get((row.get("type") or "").strip().lower())
        if kind is None or not row.get("value"):
            problems.append(f"{path}:{line}: unknown type {row.get('type')!r} or empty value")
            continue
        try:
            expires = parse_timestamp(row["expires"]) if row.get("expires") else None
            found.append(
                _make(kind, row["value"], row.get("provider") or provider or path.stem,
                      expires=expires, confidence=row.get("confidence") or None,
                      description=row.get("description") or None)
            )  # fmt: skip
        except ValueError as e:
            problems.append(f"{path}:{line}: {e}")
    return found, problems


def _stix_terms(pattern: str) -> Iterator[tuple[IndicatorType, str]]:
    for kind, _, value in _STIX_TERM.findall(pattern):
        yield kind, value.replace("\\'", "'").replace("\\\\", "\\")


def load_stix(path: Path, provider: str | None = None) -> tuple[list[Indicator], list[str]]:
    """STIX 2.1 bundle: ``indicator`` objects with ``pattern_type: stix`` equality comparisons."""
    try:
        bundle = json.loads(_read(path))
    except ValueError as e:
        raise ContentError(f"not JSON: {e}", source=path) from e
    objects = bundle.get("objects") if isinstance(bundle, dict) else None
    if not isinstance(objects, list):
        raise ContentError("not a STIX bundle (no objects list)", source=path)
    found: list[Indicator] = []
    problems: list[str] = []
    identities = {o.get("id"): o.get("name") for o in objects if isinstance(o, dict)}
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or obj.get("type") != "indicator":
            continue
        if obj.get("revoked") or obj.get("pattern_type", "stix") != "stix":
            continue
        source = provider or identities.get(obj.get("created_by_ref")) or path.stem
        terms = list(_stix_terms(str(obj.get("pattern", ""))))
        if not terms:
            problems.append(f"{path}: object {index}: no supported comparison in its pattern")
        try:
            expires = parse_timestamp(obj["valid_until"]) if obj.get("valid_until") else None
            for kind, value in terms:
                found.append(
                    _make(kind, value, str(source), expires=expires,
                          confidence=str(obj["confidence"]) if "confidence" in obj else None,
                          description=obj.get("name"), reference=obj.get("id"))
                )  # fmt: skip
        except ValueError as e:
            problems.append(f"{path}: object {index}: {e}")
    return found, problems


def load_misp(
    path: Path, provider: str | None = None, default_days: int = 90
) -> tuple[list[Indicator], list[str]]:
    """MISP event JSON (``{"Event": {..., "Attribute": [...]}}``, or a list of them).

    Only attributes flagged ``to_ids`` are indicators; ``first_seen``/``timestamp`` plus
    ``default_days`` gives the expiry when MISP has none.
    """
    try:
        doc = json.loads(_read(path))
    except ValueError as e:
        raise ContentError(f"not JSON: {e}", source=path) from e
    events = doc if isinstance(doc, list) else [doc]
    found: list[Indicator] = []
    problems: list[str] = []
    for event_doc in events:
        event = event_doc.get("Event", event_doc) if isinstance(event_doc, dict) else {}
        source = provider or (event.get("Orgc") or {}).get("name") or path.stem
        attributes = list(event.get("Attribute") or [])
        for obj in event.get("Object") or []:
            attributes.extend(obj.get("Attribute") or [])
        for attribute in attributes:
            if not isinstance(attribute, dict) or not attribute.get("to_ids", True):
                continue
            kind = MISP_TYPES.get(str(attribute.get("type")))
            if kind is None:
                continue
            try:
                found.append(_make(kind, str(attribute.get("value", "")), str(source),
                                   expires=_misp_expiry(attribute, default_days),
                                   description=event.get("info"),
                                   reference=attribute.get("uuid")))  # fmt: skip
            except ValueError as e:
                problems.append(f"{path}: attribute {attribute.get('uuid')}: {e}")
    return found, problems


def _misp_expiry(attribute: dict[str, Any], default_days: int) -> datetime | None:
    stamp = attribute.get("last_seen") or attribute.get("timestamp")
    if stamp is None:
        return None
    if isinstance(stamp, str) and stamp.isdigit():
        stamp = int(stamp)
    moment = (
        datetime.fromtimestamp(stamp, utc_now().tzinfo)
        if isinstance(stamp, int)
        else parse_timestamp(str(stamp))
    )
    return moment + timedelta(days=default_days)


def load_feed(path: Path, provider: str | None = None) -> tuple[list[Indicator], list[str]]:
    """Pick the loader by extension and content (``.csv``; JSON: STIX bundle or MISP)."""
    if path.suffix.lower() == ".csv":
        return load_csv(path, provider)
    head = _read(path)[:4096]
    if '"type"' in head and '"bundle"' in head:
        return load_stix(path, provider)
    return load_misp(path, provider)
