"""Policy decisions → structured results with Vietnamese and English messages from the catalogue,
plus a not-applicable row for every requirement of the profile the level or the date excludes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from string import Formatter
from typing import Any

from policies.catalog_loader import Catalog, ProfileName, Requirement
from policies.facts import HANDLING_WINDOW

STATUSES = ("pass", "fail", "unknown", "not_applicable")


@dataclass(frozen=True)
class RequirementResult:
    system_id: str
    requirement_id: str
    status: str
    severity: str
    message_vi: str
    message_en: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class SystemCompliance:
    system_id: str
    profile: ProfileName
    classification: dict[str, Any]
    layers: dict[str, dict[str, Any]]
    results: list[RequirementResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}


class _Params(dict[str, Any]):
    """Template parameters: lists joined, missing keys shown as '?' rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def _text(value: Any, lang: str) -> Any:
    kind = type(value)
    if kind is str or kind is int:  # most parameters: shown as they are
        return value
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(str(_text(v, lang)) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else value


@dataclass(frozen=True)
class _Template:
    """A message template and the parameters it names (the name before any attribute or
    index): only those are turned into text, though a result carries more (titles, dates)."""

    text: str
    fields: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _Template:
        names = (
            re.split(r"[.\[]", name, maxsplit=1)[0]
            for _, name, _, _ in Formatter().parse(text)
            if name
        )
        return cls(text, tuple(dict.fromkeys(names)))

    def render(self, params: Mapping[str, Any], lang: str) -> str:
        shown = {k: _text(params[k], lang) for k in self.fields if k in params}
        return self.text.format_map(_Params(shown))


@dataclass(frozen=True)
class _Pair:
    """The Vietnamese and English templates of a reason, and every parameter either names."""

    vi: _Template
    en: _Template
    fields: tuple[str, ...]

    @classmethod
    def of(cls, vi: str, en: str) -> _Pair:
        vi_t, en_t = _Template.of(vi), _Template.of(en)
        return cls(vi_t, en_t, tuple(dict.fromkeys(vi_t.fields + en_t.fields)))

    def render(self, params: Mapping[str, Any]) -> tuple[str, str]:
        shown = _Params()
        for k in self.fields:
            if k in params:
                value = params[k]
                kind = type(value)
                if kind is not str and kind is not int:  # shown differently in each language
                    return self.vi.render(params, "vi"), self.en.render(params, "en")
                shown[k] = value
        return self.vi.text.format_map(shown), self.en.text.format_map(shown)


# The templates of a catalogue's messages by reason, parsed once per catalogue.
_compiled: dict[int, tuple[Mapping[str, Any], dict[str, _Pair]]] = {}


def _templates(catalog: Catalog) -> dict[str, _Pair]:
    messages = catalog.messages
    found = _compiled.get(id(messages))
    if found is None or found[0] is not messages:  # kept with its messages: no id reused
        if len(_compiled) >= 8:
            _compiled.clear()
        parsed = {r: _Pair.of(m.vi, m.en) for r, m in messages.items()}
        found = _compiled[id(messages)] = (messages, parsed)
    return found[1]


def detail(catalog: Catalog, reason: str, params: Mapping[str, Any], lang: str) -> str:
    pair = _templates(catalog).get(reason)
    if pair is None:
        return reason
    return (pair.vi if lang == "vi" else pair.en).render(params, lang)


def with_alert_handling(catalog: Catalog, text: str, params: Mapping[str, Any], lang: str) -> str:
    """A message followed by how the system's high alerts were handled when the policy passed the
    figures on (layer 2 and its requirement: ``alerts`` = high, acknowledged, median hours to
    acknowledge, oldest open hours)."""
    figures = params.get("alerts")
    if not isinstance(figures, list) or len(figures) != 4:
        return text
    high, acknowledged, median_hours, oldest_open_hours = figures
    named = {
        "days": HANDLING_WINDOW.days,
        "high": high,
        "acknowledged": acknowledged,
        "median_hours": median_hours,
    }
    text = f"{text}; {detail(catalog, 'alert_handling', named, lang)}"
    if oldest_open_hours is None:
        return text
    hours = {"hours": oldest_open_hours}
    return f"{text}, {detail(catalog, 'alert_oldest_open', hours, lang)}"


def _messages(catalog: Catalog, reason: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The Vietnamese and English message of a reason and its parameters."""
    pair = _templates(catalog).get(reason)
    vi, en = (reason, reason) if pair is None else pair.render(params)
    if "alerts" in params:
        vi = with_alert_handling(catalog, vi, params, "vi")
        en = with_alert_handling(catalog, en, params, "en")
    return vi, en


_NO_RECORD: Mapping[str, str] = {}


def with_records(
    params: Mapping[str, Any], records: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """Message parameters plus the title and dates of the documents the policy names by id (a
    result that names no record gets none: its evidence carries no placeholders)."""
    found = dict(params)
    if "record" in params:
        doc = records.get(str(params["record"]), _NO_RECORD)
        for key in ("title", "issued", "expires"):
            if key not in found:
                found[key] = doc.get(key, "?")
    for which in ("first", "then"):
        named = params.get(f"{which}_record")
        if named is not None:
            found.setdefault(
                f"{which}_date", records.get(str(named), _NO_RECORD).get("issued", "?")
            )
    return found


def result_of(
    catalog: Catalog,
    system_id: str,
    req: Requirement,
    status: str,
    reason: str,
    params: dict[str, Any],
) -> RequirementResult:
    """One result; ``params`` (with the records' titles and dates) becomes its evidence."""
    vi, en = _messages(catalog, reason, params)
    return RequirementResult(
        system_id=system_id,
        requirement_id=req.id,
        status=status,
        severity=req.severity,
        message_vi=f"{req.title_vi}: {vi}",
        message_en=f"{req.title_en}: {en}",
        evidence={"reason": reason, "params": params, "source": req.source},
    )


def render_system(
    catalog: Catalog,
    system_id: str,
    profile: ProfileName,
    on: date,
    output: Mapping[str, Any],
    records: Mapping[str, Mapping[str, str]] | None = None,
) -> SystemCompliance:
    """The engine's output for one system → one result per requirement of the profile."""
    classification = dict(output.get("classification") or {})
    level = int(classification.get("effective_level") or 1)
    decided: dict[str, list[Any]] = {d[0]: d for d in output.get("decisions") or []}
    results = []
    for req in catalog.requirements:
        if profile not in req.profiles:
            continue
        if req.id in decided:
            _, status, reason, params = decided[req.id]
        elif level not in req.levels:
            status, reason, params = "not_applicable", "not_at_level", {"level": level}
        else:
            status, reason, params = "not_applicable", "not_in_force", {"date": on.isoformat()}
        params = with_records(params, records or {})
        results.append(result_of(catalog, system_id, req, status, reason, params))
    layers = {}
    for n, layer in (output.get("layers") or {}).items():
        params = with_records(layer["params"], records or {})
        vi, en = _messages(catalog, layer["reason"], params)
        layers[n] = {
            **layer,
            "params": params,
            "message_vi": vi,
            "message_en": en,
        }
    return SystemCompliance(system_id, profile, classification, layers, results)
