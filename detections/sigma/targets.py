"""Converting Sigma rules to query languages (SQLite SQL, ES|QL, Lucene, EQL) with pySigma's
backends and one pipeline that applies each logsource family's mapping to its own rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.conversion.base import Backend
from sigma.correlations import SigmaCorrelationRule
from sigma.pipelines.sysmon.sysmon import sysmon_pipeline
from sigma.pipelines.windows.windows import windows_audit_pipeline, windows_logsource_pipeline
from sigma.processing.conditions import RuleProcessingCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    FieldFunctionTransformation,
    SetStateTransformation,
    WildcardPlaceholderTransformation,
)
from sigma.processing.transformations.base import DetectionItemTransformation, ValueTransformation
from sigma.rule import SigmaDetectionItem, SigmaRule
from sigma.types import (
    SigmaExpansion,
    SigmaNumber,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from detections.sigma.compiler import logsource_dict
from detections.sigma.pipelines import windows_ecs_pipeline
from detections.sigma.routing import Route, RoutingTable, default_routing
from soc.errors import DetectionError

TARGETS = ("sqlite", "esql", "lucene", "eql")
TEXT_FIELD = "soc.text"  # what SQL searches Sigma keywords in (see scheduled.view_sql)


@dataclass
class KeywordsAsTextField(DetectionItemTransformation):
    """Sigma keywords → ``soc.text`` contains ``*value*``: SQLite has no full-text fallback."""

    def apply_detection_item(self, detection_item: SigmaDetectionItem) -> None:
        if detection_item.field is not None:
            return None
        detection_item.field = TEXT_FIELD
        detection_item.value = [_anywhere(v) for v in detection_item.value]
        self.processing_item_applied(detection_item)
        return None


@dataclass
class NumbersEqualTheirText(ValueTransformation):
    """``LogonType: 10`` must match the JSON number 10 and the text "10" (parsers differ): SQLite
    compares a number and a text as different, so each equality is asked both ways."""

    # pySigma dispatches on this annotation, hence the narrower type than the base class
    def apply_value(self, field: str | None, val: SigmaNumber | SigmaString) -> Any:  # type: ignore[override]
        if isinstance(val, SigmaTimestampPart):
            return None
        if isinstance(val, SigmaNumber):
            return SigmaExpansion([val, SigmaString(str(val.number))])
        text = val.to_plain() if not val.contains_special() else ""
        if text.isdigit() and len(text) < 16 and not text.startswith("0"):
            return SigmaExpansion([val, SigmaNumber(int(text))])
        return None


def _anywhere(value: Any) -> Any:
    if not isinstance(value, SigmaString):
        return value
    star = SpecialChars.WILDCARD_MULTI
    parts = list(value.s)
    if parts[:1] != [star]:
        parts.insert(0, star)
    if parts[-1:] != [star]:
        parts.append(star)
    out = SigmaString()
    out.s = parts
    return out


@dataclass
class RouteCondition(RuleProcessingCondition):
    """True for a rule whose logsource the routing table sends to ``route`` (correlations: any
    referenced rule)."""

    table: RoutingTable = field(default_factory=default_routing)
    route: Route | None = None

    def match(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        if isinstance(rule, SigmaRule):
            return self.table.route(logsource_dict(rule)) is self.route
        for ref in rule.referenced_rules:
            inner = getattr(ref, "rule", None)
            if isinstance(inner, SigmaRule | SigmaCorrelationRule) and self.match(inner):
                return True
        return False


def conversion_pipeline(
    table: RoutingTable | None = None, windows_variant: str = "sysmon"
) -> ProcessingPipeline:
    """Windows: Sysmon EventIDs (or Security 4688/4657 for ``security``) + channels + winlog.*
    names; other families: their mapping."""
    table = table or default_routing()
    items: list[ProcessingItem] = []
    for route in table.routes:
        if route.windows:
            continue
        field_map = table.field_map(route.mapping)

        def rename(name: str | None, _map: Any = field_map) -> str:
            return _map.ecs(name) if name is not None else ""

        items.append(
            ProcessingItem(
                identifier=f"soc_route_{route.mapping}_{len(items)}",
                transformation=FieldFunctionTransformation(mapping={}, transform_func=rename),
                rule_conditions=[RouteCondition(table=table, route=route)],
            )
        )
    items.append(
        ProcessingItem(
            identifier="soc_placeholders", transformation=WildcardPlaceholderTransformation()
        )
    )
    families = ProcessingPipeline(name="soc: ECS field mappings", priority=60, items=items)
    first = windows_audit_pipeline() if windows_variant == "security" else sysmon_pipeline()
    windows: ProcessingPipeline = first + windows_logsource_pipeline()
    return windows + windows_ecs_pipeline() + families


def backend_for(
    target: str,
    *,
    table_name: str = "events_view",
    index: str = "logs-soc-events-*",
    windows_variant: str = "sysmon",
) -> Backend:
    """A pySigma backend with our pipeline; ``table_name`` / ``index`` name what it queries."""
    pipeline = conversion_pipeline(windows_variant=windows_variant)
    if target == "sqlite":
        from sigma.backends.sqlite.sqlite import sqliteBackend

        keywords = ProcessingPipeline(
            name="soc: keywords for SQL",
            priority=5,
            items=[
                ProcessingItem(identifier="soc_keywords", transformation=KeywordsAsTextField()),
                ProcessingItem(identifier="soc_numbers", transformation=NumbersEqualTheirText()),
            ],
        )
        backend: Backend = sqliteBackend(  # type: ignore[no-untyped-call]
            keywords + pipeline, collate_nocase=True, table=table_name
        )
        return backend
    from sigma.backends.elasticsearch.elasticsearch_eql import EqlBackend
    from sigma.backends.elasticsearch.elasticsearch_esql import ESQLBackend
    from sigma.backends.elasticsearch.elasticsearch_lucene import LuceneBackend

    # ES|QL reads its FROM clause from the processing state
    esql_pipeline = pipeline + ProcessingPipeline(
        name="soc: ES|QL index",
        priority=90,
        items=[
            ProcessingItem(
                identifier="soc_esql_index", transformation=SetStateTransformation("index", index)
            )
        ],
    )
    makers: dict[str, Callable[[], Backend]] = {
        "esql": lambda: ESQLBackend(esql_pipeline),
        "lucene": lambda: LuceneBackend(pipeline, index_names=[index]),
        "eql": lambda: EqlBackend(pipeline, index_names=[index]),
    }
    if target not in makers:
        raise DetectionError(f"unknown target {target!r}", hint=f"one of {', '.join(TARGETS)}")
    return makers[target]()


def read_collection(paths: Sequence[Path]) -> SigmaCollection:
    """Every rule document of the files (rules, correlations) as one pySigma collection."""
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise DetectionError(f"cannot read rule file: {e}", source=path) from e
    try:
        return SigmaCollection.from_yaml("\n---\n".join(texts), collect_errors=True)
    except Exception as e:  # pySigma raises many types on broken YAML
        raise DetectionError(f"not a Sigma rule file: {e}", source=",".join(map(str, paths))) from e


@dataclass
class Conversion:
    rule_id: str
    title: str
    queries: list[Any] = field(default_factory=list)
    error: str | None = None


def convert(
    collection: SigmaCollection, target: str, *, output_format: str = "default", **options: Any
) -> list[Conversion]:
    """Each rule (and correlation) converted on its own; failures are kept per rule."""
    backend = backend_for(target, **options)
    out: list[Conversion] = []
    for rule in collection.rules:
        if not isinstance(rule, SigmaRule | SigmaCorrelationRule):
            continue
        result = Conversion(str(rule.id or rule.name or rule.title), str(rule.title))
        try:
            if isinstance(rule, SigmaCorrelationRule):
                result.queries = list(backend.convert_correlation_rule(rule, output_format))
            else:
                result.queries = list(backend.convert_rule(rule, output_format))
        except Exception as e:  # pySigma reports unsupported features with many exception types
            result.error = f"{type(e).__name__}: {e}"
        out.append(result)
    return out


def rules_of(collection: SigmaCollection) -> Iterable[SigmaRule | SigmaCorrelationRule]:
    return (r for r in collection.rules if isinstance(r, SigmaRule | SigmaCorrelationRule))
