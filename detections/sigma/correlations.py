"""Gathering correlation rules with the rules they reference (by id or name, in any loaded
file) into one pySigma collection, compiled for the scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from detections.base import LoadIssue
from detections.sigma.scheduled import ScheduledRule, compile_scheduled
from detections.sigma.targets import read_collection

if TYPE_CHECKING:  # the loader imports this module lazily; no import cycle at run time
    from detections.sigma.loader import RuleSet


def _references(path: Path, *, only_hidden: bool = False) -> set[str]:
    """Ids/names a correlation file's documents reference (a cheap YAML read); with
    ``only_hidden`` just those of correlations without ``generate: true``."""
    out: set[str] = set()
    try:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return out
    for doc in docs:
        corr = doc.get("correlation") if isinstance(doc, dict) else None
        if isinstance(corr, dict) and not (only_hidden and corr.get("generate") is True):
            refs = corr.get("rules") or []
            out.update(str(r) for r in (refs if isinstance(refs, list) else [refs]))
    return out


def base_references(paths: list[Path]) -> set[str]:
    """Ids and names of rules used only as correlation building blocks."""
    out: set[str] = set()
    for path in paths:
        out |= _references(path, only_hidden=True)
    return out


def correlation_files(ruleset: RuleSet) -> list[Path]:
    """The correlation files plus every file holding a rule they reference."""
    where: dict[str, str] = {}
    for rule in ruleset.rules:
        where.setdefault(rule.info.id, rule.info.source)
        if rule.name:
            where.setdefault(rule.name, rule.info.source)
    files: dict[str, Path] = {}
    for path in ruleset.correlation_files:
        files[str(path)] = path
        for ref in _references(path):
            if ref in where:
                files.setdefault(where[ref], Path(where[ref]))
    return list(files.values())


def scheduled_correlations(ruleset: RuleSet) -> tuple[list[ScheduledRule], list[LoadIssue]]:
    """SQL for every correlation of the rule set; problems reported, never raised."""
    files = correlation_files(ruleset)
    if not files:
        return [], []
    try:
        collection = read_collection(files)
    except Exception as e:  # a broken file must not stop the others being reported
        return [], [LoadIssue(",".join(map(str, files)), f"{type(e).__name__}: {e}")]
    issues = [LoadIssue(str(files[0]), str(err)) for err in collection.errors]
    rules, more = compile_scheduled(collection, source=",".join(p.name for p in files))
    return rules, issues + more
