"""Scheduled Sigma on the embedded store: rules and correlations compiled to SQL by pySigma's
SQLite backend and run over a temporary view of the events table, incrementally from a
persisted checkpoint (the last rowid processed), so no event is missed or alerted twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.conditions import ConditionFieldEqualsValueExpression
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule
from sigma.types import SigmaFieldReference

from detections.base import LoadIssue, Match, RuleInfo, normalise_level
from detections.sigma.compiler import logsource_dict, rule_info
from detections.sigma.pipelines import AUDIT_CATEGORIES
from detections.sigma.routing import RoutingTable, default_routing
from detections.sigma.targets import TEXT_FIELD, backend_for
from detections.sigma.values import EVENT_DATA, compiled

VIEW = "soc_scan"


@dataclass(frozen=True)
class ScheduledRule:
    """A rule as the scheduler runs it: its SQL, the events it reads, how far back it looks."""

    info: RuleInfo
    kind: str  # "single" | "correlation"
    sql: str
    datasets: tuple[str, ...]
    fields: tuple[str, ...]
    lookback_seconds: int = 0
    group_by: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.blake2b(self.sql.encode(), digest_size=8).hexdigest()


def _fields_of_rule(rule: SigmaRule) -> set[str]:
    out: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, ConditionFieldEqualsValueExpression):
            out.add(node.field)
            if isinstance(node.value, SigmaFieldReference):
                out.add(node.value.field)
        for arg in getattr(node, "args", []) or []:
            walk(arg)

    for condition in rule.detection.parsed_condition:
        walk(condition.parsed)
    return out


def _referenced(rule: SigmaCorrelationRule) -> list[SigmaRule]:
    out: list[SigmaRule] = []
    for ref in rule.rules or []:
        inner = getattr(ref, "rule", None)
        if isinstance(inner, SigmaRule):
            out.append(inner)
        elif isinstance(inner, SigmaCorrelationRule):
            out.extend(_referenced(inner))
    return out


def _datasets(rules: Sequence[SigmaRule], table: RoutingTable) -> tuple[str, ...]:
    out: list[str] = []
    for rule in rules:
        route = table.route(logsource_dict(rule))
        if route is not None:
            out.extend(d for d in route.datasets_for(logsource_dict(rule)) if d not in out)
    return tuple(out)


def correlation_info(rule: SigmaCorrelationRule, source: str) -> RuleInfo:
    return RuleInfo(
        id=str(rule.id or rule.name or rule.title),
        title=str(rule.title),
        level=normalise_level(rule.level.name if rule.level else "medium"),
        tags=tuple(f"{t.namespace}.{t.name}" for t in rule.tags),
        source=source,
        description=(rule.description or "")[:2000],
    )


def compile_scheduled(
    collection: SigmaCollection,
    *,
    source: str = "",
    singles: bool = False,
    table: RoutingTable | None = None,
) -> tuple[list[ScheduledRule], list[LoadIssue]]:
    """Correlations (and, with ``singles``, plain rules) → SQL over the scan view."""
    table = table or default_routing()
    # Routes are read before conversion: the pipeline rewrites Windows logsources in place.
    routes = {id(r): _datasets([r], table) for r in collection.rules if isinstance(r, SigmaRule)}
    out: list[ScheduledRule] = []
    issues: list[LoadIssue] = []
    if singles:  # on copies: rules a correlation references are otherwise not output alone
        plain = [r for r in collection.rules if isinstance(r, SigmaRule)]
        out += _convert_copies(plain, routes, source, issues, "sysmon")
        # process creation and registry rules also run on Security 4688/4657, as in streaming
        audit = [
            r
            for r in plain
            if r.logsource.product == "windows" and r.logsource.category in AUDIT_CATEGORIES
        ]
        out += _convert_copies(audit, routes, source, issues, "security")
    return out + _convert(collection, routes, source, issues, correlations_only=True), issues


def _convert_copies(
    plain: list[SigmaRule],
    routes: dict[int, tuple[str, ...]],
    source: str,
    issues: list[LoadIssue],
    variant: str,
) -> list[ScheduledRule]:
    if not plain:
        return []
    alone = SigmaCollection([SigmaRule.from_dict(r.to_dict()) for r in plain])
    alone_routes = {id(c): routes[id(r)] for c, r in zip(alone.rules, plain, strict=True)}
    return _convert(alone, alone_routes, source, issues, variant=variant)


def _convert(
    collection: SigmaCollection,
    routes: dict[int, tuple[str, ...]],
    source: str,
    issues: list[LoadIssue],
    *,
    correlations_only: bool = False,
    variant: str = "sysmon",
) -> list[ScheduledRule]:
    backend = backend_for("sqlite", table_name=VIEW, windows_variant=variant)
    out: list[ScheduledRule] = []
    # Plain rules first: a correlation's SQL is built from its rules' conversion state.
    ordered = sorted(collection.rules, key=lambda r: isinstance(r, SigmaCorrelationRule))
    for rule in ordered:
        if not isinstance(rule, SigmaRule | SigmaCorrelationRule):
            continue
        try:
            if isinstance(rule, SigmaCorrelationRule):
                queries = backend.convert_correlation_rule(rule)
            else:
                queries = backend.convert_rule(rule)
        except Exception as e:  # pySigma's unsupported features arrive as many exception types
            issues.append(LoadIssue(source, f"{type(e).__name__}: {e}", "skipped", str(rule.id)))
            continue
        if not queries:
            continue
        if isinstance(rule, SigmaCorrelationRule):
            out.append(_correlation(rule, str(queries[0]), routes, source))
        elif not correlations_only:
            fields = tuple(sorted(_fields_of_rule(rule)))
            info = rule_info(rule, source)
            out.append(
                ScheduledRule(info, "single", str(queries[0]), routes.get(id(rule), ()), fields)
            )
    return out


def _correlation(
    rule: SigmaCorrelationRule, sql: str, routes: dict[int, tuple[str, ...]], source: str
) -> ScheduledRule:
    base = _referenced(rule)
    fields = set().union(*(_fields_of_rule(r) for r in base)) | set(rule.group_by or [])
    ref = getattr(rule.condition, "fieldref", None)
    fields.update([ref] if isinstance(ref, str) else ref or [])
    datasets = tuple(dict.fromkeys(d for r in base for d in routes.get(id(r), ())))
    span = int(rule.timespan.seconds) if rule.timespan else 0
    return ScheduledRule(
        correlation_info(rule, source),
        "correlation",
        sql,
        datasets,
        tuple(sorted(fields)),
        span,
        tuple(rule.group_by or ()),
    )


def _json_path(field: str) -> str:
    return "$." + ".".join('"' + part.replace('"', '\\"') + '"' for part in field.split("."))


def _column(field: str) -> str:
    quoted = '"' + field.replace('"', '""') + '"'
    if field == TEXT_FIELD:  # keywords: the message, else the raw line, else the whole event
        return (
            "COALESCE(json_extract(e.doc, '$.message'), json_extract(e.doc, '$.event.original'),"
            f" json_extract(e.doc, '$.winlog.event_data'), e.doc) AS {quoted}"
        )
    path = _json_path(field).replace("'", "''")
    if field.startswith(EVENT_DATA):  # Sigma names user data fields like event data fields
        user = _json_path("winlog.user_data." + field[len(EVENT_DATA) :]).replace("'", "''")
        return f"COALESCE(json_extract(e.doc, '{path}'), json_extract(e.doc, '{user}')) AS {quoted}"
    return f"json_extract(e.doc, '{path}') AS {quoted}"


def view_sql(rule: ScheduledRule, low: int, high: int, since: str | None) -> str:
    """The temporary view a rule's SQL reads: its datasets, its fields, a rowid range."""
    columns = ["e.rowid AS rowid", "e.ts AS timestamp", 'e.id AS "soc_event_id"']
    columns += [_column(f) for f in rule.fields]
    exact = [d for d in rule.datasets if not d.endswith(".*")]
    prefixes = [d[:-1] for d in rule.datasets if d.endswith(".*")]
    tests = [f"e.dataset IN ({', '.join(_literal(d) for d in exact)})"] if exact else []
    tests += [f"e.dataset LIKE {_literal(p.replace('%', '') + '%')}" for p in prefixes]
    where = [f"({' OR '.join(tests) or '0'})", f"e.rowid <= {int(high)}"]
    where.append(f"e.ts >= {_literal(since)}" if since is not None else f"e.rowid > {int(low)}")
    body = f"SELECT {', '.join(columns)} FROM main.events e WHERE {' AND '.join(where)}"
    return f"CREATE TEMP VIEW {VIEW} AS {body}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class ScanResult:
    """Matches of one rule over one rowid range."""

    rule: ScheduledRule
    matches: list[Match] = field(default_factory=list)
    windows: int = 0


def evidence_rowids(value: Any) -> list[int]:
    """Correlation evidence ids (``e:0:<rowid>``) → rowids."""
    try:
        items = json.loads(value) if isinstance(value, str) else list(value or [])
    except ValueError:
        return []
    out = []
    for item in items:
        tail = str(item).rsplit(":", 1)[-1]
        if tail.isdigit():
            out.append(int(tail))
    return sorted(set(out))


def load_docs(connection: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for rowid, doc in connection.execute(
            f"SELECT rowid, doc FROM main.events WHERE rowid IN ({marks})", chunk
        ):
            out[int(rowid)] = json.loads(doc)
    return out


def _regexp(pattern: str, value: Any) -> bool:
    """SQLite's REGEXP operator (``value REGEXP pattern``), which pySigma's SQL uses for ``re``."""
    if value is None:
        return False
    try:
        return compiled(pattern).search(str(value)) is not None
    except re.error:
        return False


def connect(path: Path) -> sqlite3.Connection:
    """Read-only connection to the events file (temporary views live in the temp schema)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    connection.create_function("regexp", 2, _regexp, deterministic=True)
    return connection
