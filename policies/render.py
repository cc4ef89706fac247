"""Policy decisions → structured results with Vietnamese and English messages from the catalogue,
plus a not-applicable row for every requirement of the profile the level or the date excludes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from policies.catalog_loader import Catalog, ProfileName, Requirement

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
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(str(_text(v, lang)) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else value


def detail(catalog: Catalog, reason: str, params: Mapping[str, Any], lang: str) -> str:
    message = catalog.messages.get(reason)
    if message is None:
        return reason
    template = message.vi if lang == "vi" else message.en
    return template.format_map(_Params({k: _text(v, lang) for k, v in params.items()}))


def result_of(
    catalog: Catalog,
    system_id: str,
    req: Requirement,
    status: str,
    reason: str,
    params: Mapping[str, Any],
) -> RequirementResult:
    return RequirementResult(
        system_id=system_id,
        requirement_id=req.id,
        status=status,
        severity=req.severity,
        message_vi=f"{req.title_vi}: {detail(catalog, reason, params, 'vi')}",
        message_en=f"{req.title_en}: {detail(catalog, reason, params, 'en')}",
        evidence={"reason": reason, "params": dict(params), "source": req.source},
    )


def render_system(
    catalog: Catalog,
    system_id: str,
    profile: ProfileName,
    on: date,
    output: Mapping[str, Any],
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
        results.append(result_of(catalog, system_id, req, status, reason, params))
    layers = {
        n: {
            **layer,
            "message_vi": detail(catalog, layer["reason"], layer["params"], "vi"),
            "message_en": detail(catalog, layer["reason"], layer["params"], "en"),
        }
        for n, layer in (output.get("layers") or {}).items()
    }
    return SystemCompliance(system_id, profile, classification, layers, results)
