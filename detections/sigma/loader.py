"""Load Sigma rule trees: every file parsed (or taken from the cache), every problem reported.

The cache maps a rule file's content hash to its compiled variants or to the reason it was not
loaded, under a key that includes the pipeline version and the routing table, so a warm start
with the whole SigmaHQ set reads files and hashes them, nothing more.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

from detections.base import LoadIssue, LoadReport
from detections.sigma.compiler import CompiledRule, compile_rule
from detections.sigma.ir import UnsupportedRule
from detections.sigma.pipelines import PIPELINE_VERSION
from detections.sigma.routing import RoutingTable, default_routing

PROJECT_RULES = Path(__file__).resolve().parents[1] / "rules" / "sigma"
MAX_RULE_BYTES = 1_048_576
MAX_RULE_FILES = 50_000
PARALLEL_FROM = 200  # uncached files from which a cold load uses worker processes
SAMPLE_SUFFIX = ".tests.yml"  # positive/negative samples that live beside our rules


@dataclass
class RuleSet:
    """What a load produced: single-event rules for streaming, correlations for scheduling."""

    rules: list[CompiledRule] = field(default_factory=list)
    correlation_files: list[Path] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)


def rule_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Every rule file under the paths (files given directly are taken as they are)."""
    count = 0
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if path.suffix not in (".yml", ".yaml") or path.name.endswith(SAMPLE_SUFFIX):
                continue
            if not path.is_file():
                continue
            count += 1
            if count > MAX_RULE_FILES:
                return
            yield path


def _compile_text(text: str, table: RoutingTable, audit: bool) -> dict[str, Any]:
    """One file → {"rules": [...], "issues": [...], "correlation": bool} (JSON-ready)."""
    entry: dict[str, Any] = {"rules": [], "issues": [], "correlation": False}
    try:
        collection = SigmaCollection.from_yaml(text, collect_errors=True)
    except Exception as e:  # any broken file is reported, never raised (YAML, types, pySigma)
        reason = " ".join(str(e).split()) or type(e).__name__
        entry["issues"].append({"kind": "failed", "reason": f"{type(e).__name__}: {reason}"[:500]})
        return entry
    for error in collection.errors:
        if not any(error in getattr(r, "errors", []) for r in collection.rules):
            entry["issues"].append({"kind": "failed", "reason": str(error)})
    for rule in collection.rules:
        _compile_one(rule, table, audit, entry)
    return entry


def _compile_one(rule: Any, table: RoutingTable, audit: bool, entry: dict[str, Any]) -> None:
    ident = {
        "rule_id": str(getattr(rule, "id", "") or "") or None,
        "title": getattr(rule, "title", None),
    }
    if isinstance(rule, SigmaCorrelationRule):
        entry["correlation"] = True
        entry["issues"].append(
            {"kind": "scheduled", "reason": "correlation rule: runs scheduled", **ident}
        )
        return
    if not isinstance(rule, SigmaRule):
        entry["issues"].append(
            {"kind": "skipped", "reason": f"{type(rule).__name__} not supported", **ident}
        )
        return
    if rule.errors:
        entry["issues"].append(
            {"kind": "failed", "reason": "; ".join(map(str, rule.errors)), **ident}
        )
        return
    try:
        entry["rules"].extend(v.to_json() for v in compile_rule(rule, "", table, audit=audit))
    except UnsupportedRule as e:
        entry["issues"].append({"kind": "skipped", "reason": str(e), **ident})
    except Exception as e:  # one broken rule is reported and the load carries on
        entry["issues"].append({"kind": "failed", "reason": f"{type(e).__name__}: {e}", **ident})


class RuleCache:
    """File-content hash → compiled entry, persisted as one JSON document."""

    def __init__(self, directory: Path | None, table: RoutingTable, audit: bool) -> None:
        key = f"{PIPELINE_VERSION}/{table.digest}/{audit}"
        digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        self.path = directory / f"rules-{digest}.json" if directory else None
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self.before: frozenset[str] = frozenset()
        if self.path is not None and self.path.is_file():
            try:
                self.entries = orjson.loads(self.path.read_bytes())
            except orjson.JSONDecodeError:
                self.entries = {}
        self.before = frozenset(self.entries)

    def get(self, digest: str) -> dict[str, Any] | None:
        return self.entries.get(digest)

    def put(self, digest: str, entry: dict[str, Any]) -> None:
        self.entries[digest] = entry
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(self.entries))
        tmp.replace(self.path)
        self.dirty = False


def load_rules(
    paths: Sequence[Path],
    *,
    cache_dir: Path | None = None,
    table: RoutingTable | None = None,
    audit: bool = True,
    keep_correlation_bases: bool = False,
    workers: int | None = None,
) -> RuleSet:
    """Load and compile every rule under ``paths``; broken rules are reported, never raised.

    Rules that a correlation uses (without ``generate: true``) are its building blocks, not
    alerts: they leave the streaming set unless ``keep_correlation_bases``.
    """
    table = table or default_routing()
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    cache = RuleCache(cache_dir, table, audit)
    out = RuleSet()
    files = [f for f in (_read(path, out.report) for path in rule_files(paths)) if f is not None]
    out.report.files = len(files) + sum(1 for i in out.report.issues)
    _compile_missing(files, cache, table, audit, workers)
    seen_ids: dict[str, str] = {}
    for path, digest, _ in files:
        entry = cache.get(digest)
        if entry is None:
            continue
        if entry["correlation"]:
            out.correlation_files.append(path)
        for issue in entry["issues"]:
            out.report.issues.append(
                LoadIssue(
                    str(path),
                    issue["reason"],
                    issue["kind"],
                    issue.get("rule_id"),
                    issue.get("title"),
                )
            )
        _add_rules(entry["rules"], path, seen_ids, out)
    out.report.cached = sum(1 for _, d, _ in files if d in cache.before)
    cache.save()
    if not keep_correlation_bases and out.correlation_files:
        _set_aside_bases(out)
    return out


def _read(path: Path, report: LoadReport) -> tuple[Path, str, bytes] | None:
    try:
        data = path.read_bytes()
    except OSError as e:
        report.issues.append(LoadIssue(str(path), f"cannot read: {e.strerror}"))
        return None
    if len(data) > MAX_RULE_BYTES:
        report.issues.append(LoadIssue(str(path), f"larger than {MAX_RULE_BYTES} bytes"))
        return None
    return path, hashlib.blake2b(data, digest_size=16).hexdigest(), data


def _compile_bytes(data: bytes, table: RoutingTable, audit: bool) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {
            "rules": [],
            "issues": [{"kind": "failed", "reason": "not UTF-8 text"}],
            "correlation": False,
        }
    return _compile_text(text, table, audit)


def _compile_missing(
    files: list[tuple[Path, str, bytes]],
    cache: RuleCache,
    table: RoutingTable,
    audit: bool,
    workers: int,
) -> None:
    """Compile the files the cache does not know; in worker processes when there are many
    (pySigma's parse is the slow part of a cold start, and its objects are freed with them)."""
    todo = {digest: data for _, digest, data in files if cache.get(digest) is None}
    if not todo:
        return
    items = list(todo.items())
    if workers > 1 and len(items) >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        with ProcessPoolExecutor(max_workers=workers) as pool:
            entries = pool.map(
                partial(_compile_bytes, table=table, audit=audit),
                [d for _, d in items],
                chunksize=32,
            )
            for (digest, _), entry in zip(items, entries, strict=True):
                cache.put(digest, entry)
        return
    for digest, data in items:
        cache.put(digest, _compile_bytes(data, table, audit))


def _set_aside_bases(out: RuleSet) -> None:
    from detections.sigma.correlations import base_references

    bases = base_references(out.correlation_files)
    kept = []
    for rule in out.rules:
        if rule.info.id in bases or (rule.name and rule.name in bases):
            continue
        kept.append(rule)
    dropped = {r.info.id: r for r in out.rules if r not in kept}
    for rule_id, rule in dropped.items():
        reason = "used by a correlation (generate: false): not alerted on its own"
        out.report.issues.append(
            LoadIssue(rule.info.source, reason, "scheduled", rule_id, rule.info.title)
        )
    out.report.loaded -= len(dropped)
    out.rules = kept


def _add_rules(docs: list[dict[str, Any]], path: Path, seen: dict[str, str], out: RuleSet) -> None:
    ids = {doc["id"] for doc in docs}
    clash = [i for i in ids if i in seen and seen[i] != str(path)]
    if clash:
        out.report.issues.append(
            LoadIssue(
                str(path), f"duplicate rule id (first in {seen[clash[0]]})", "failed", clash[0]
            )
        )
        return
    for doc in docs:
        seen[doc["id"]] = str(path)
        rule = CompiledRule.from_json(doc)
        out.rules.append(replace(rule, info=replace(rule.info, source=str(path))))
    out.report.loaded += len(ids)
