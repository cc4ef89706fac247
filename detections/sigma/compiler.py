"""Sigma rule → compiled variants (metadata + routing keys + IR), the unit the cache stores."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from detections.base import RuleInfo, normalise_level
from detections.sigma.ir import UnsupportedRule, condition_ir, extract_key, simplify
from detections.sigma.pipelines import variants_for
from detections.sigma.routing import RoutingTable

CHANNEL = "winlog.channel"
EVENT_ID = "winlog.event_id"


@dataclass(frozen=True)
class CompiledRule:
    """One runnable form of a rule: which events it sees and the test it applies to them."""

    info: RuleInfo
    variant: str
    datasets: tuple[str, ...]
    channels: tuple[str, ...] | None  # lower-cased winlog.channel values; None = any
    event_ids: tuple[str, ...] | None  # winlog.event_id values as text; None = any
    expr: list[Any]
    name: str | None = None  # the Sigma ``name`` correlations may reference the rule by

    @property
    def windows(self) -> bool:
        return any(d.startswith("windows.") for d in self.datasets)

    def to_json(self) -> dict[str, Any]:
        i = self.info
        return {
            "id": i.id,
            "title": i.title,
            "level": i.level,
            "tags": list(i.tags),
            "source": i.source,
            "description": i.description,
            "status": i.status,
            "variant": self.variant,
            "datasets": list(self.datasets),
            "channels": None if self.channels is None else list(self.channels),
            "event_ids": None if self.event_ids is None else list(self.event_ids),
            "expr": self.expr,
            "name": self.name,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> CompiledRule:
        info = RuleInfo(
            id=doc["id"],
            title=doc["title"],
            level=normalise_level(doc["level"]),
            tags=tuple(doc["tags"]),
            source=doc["source"],
            description=doc.get("description", ""),
            status=doc.get("status", ""),
        )
        channels, event_ids = doc.get("channels"), doc.get("event_ids")
        return cls(
            info,
            doc["variant"],
            tuple(doc["datasets"]),
            None if channels is None else tuple(channels),
            None if event_ids is None else tuple(event_ids),
            doc["expr"],
            doc.get("name"),
        )


def rule_info(rule: SigmaRule, source: str) -> RuleInfo:
    return RuleInfo(
        id=str(rule.id or rule.name or rule.title),
        title=str(rule.title),
        level=normalise_level(rule.level.name if rule.level else "medium"),
        tags=tuple(f"{t.namespace}.{t.name}" for t in rule.tags),
        source=source,
        description=(rule.description or "")[:2000],
        status=rule.status.name.lower() if rule.status else "",
    )


def logsource_dict(rule: SigmaRule) -> dict[str, str | None]:
    ls = rule.logsource
    return {"product": ls.product, "category": ls.category, "service": ls.service}


def _windows_keys(expr: list[Any]) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, Any]:
    channels, expr = extract_key(expr, CHANNEL)
    event_ids, expr = extract_key(expr, EVENT_ID)
    return (
        None if channels is None else tuple(channels),
        None if event_ids is None else tuple(event_ids),
        expr,
    )


def compile_rule(
    rule: SigmaRule, source: str, table: RoutingTable, *, audit: bool = True
) -> list[CompiledRule]:
    """Every variant of a parsed rule; raises UnsupportedRule (skip) or SigmaError (broken)."""
    logsource = logsource_dict(rule)
    route = table.route(logsource)
    if route is None:
        shown = ", ".join(f"{k}={v}" for k, v in logsource.items() if v)
        raise UnsupportedRule(f"no dataset collects logsource {shown}")
    info = rule_info(rule, source)
    out: list[CompiledRule] = []
    skipped: list[str] = []
    broken: list[SigmaError] = []
    for variant in variants_for(route, logsource, table, audit=audit):
        work = copy.deepcopy(rule)
        try:
            variant.pipeline.apply(work)
            expr = simplify(condition_ir(_single_condition(work)))
        except UnsupportedRule as e:
            skipped.append(f"{variant.name}: {e}")
            continue
        except SigmaError as e:
            broken.append(e)
            continue
        channels, event_ids, rest = _windows_keys(expr) if route.windows else (None, None, expr)
        out.append(
            CompiledRule(info, variant.name, variant.datasets, channels, event_ids, rest, rule.name)
        )
    if not out and broken:
        raise broken[0]
    if not out:
        raise UnsupportedRule("; ".join(skipped) or "no variant")
    return out


def _single_condition(rule: SigmaRule) -> Any:
    conditions = rule.detection.parsed_condition
    if len(conditions) == 1:
        return conditions[0].parsed
    from sigma.conditions import ConditionOR

    return ConditionOR([c.parsed for c in conditions])
