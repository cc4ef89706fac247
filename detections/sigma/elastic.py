"""Elastic Security detection rules (NDJSON import) from Sigma: Lucene queries for single-event
rules, ES|QL for correlations, over the platform's event indices.

The rule objects are built here (not by pySigma's ``siem_rule`` formats, which download the
ATT&CK catalogue at run time): the platform must work offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

from detections.base import RuleInfo
from detections.sigma.attack import TACTICS, tactic_id
from detections.sigma.compiler import rule_info
from detections.sigma.scheduled import correlation_info
from detections.sigma.targets import backend_for, read_collection

RISK = {"informational": 1, "low": 21, "medium": 47, "high": 73, "critical": 99}


@dataclass
class ElasticExport:
    rules: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (rule id, reason)


def threat(info: RuleInfo) -> list[dict[str, Any]]:
    """Elastic's ``threat`` block: one entry per tactic, with the rule's techniques."""
    techniques = [
        {
            "id": t,
            "name": t,
            "reference": f"https://attack.mitre.org/techniques/{t.replace('.', '/')}/",
        }
        for t in info.techniques
    ]
    out = []
    for name in info.tactics:
        ident = tactic_id(name)
        if ident is None:
            continue
        out.append(
            {
                "framework": "MITRE ATT&CK",
                "tactic": {
                    "id": ident,
                    "name": TACTICS[ident][1],
                    "reference": f"https://attack.mitre.org/tactics/{ident}/",
                },
                "technique": techniques,
            }
        )
    return out


def detection_rule(
    rule: SigmaRule | SigmaCorrelationRule, query: str, language: str, index: str
) -> dict[str, Any]:
    info = rule_info(rule, "") if isinstance(rule, SigmaRule) else correlation_info(rule, "")
    body: dict[str, Any] = {
        "rule_id": info.id,
        "name": info.title,
        "description": info.description or info.title,
        "risk_score": RISK.get(info.level, 47),
        "severity": "low" if info.level == "informational" else info.level,
        "type": "esql" if language == "esql" else "query",
        "language": language,
        "query": query,
        "from": "now-6m",
        "interval": "5m",
        "enabled": True,
        "author": [rule.author] if rule.author else [],
        "references": list(rule.references or []),
        "false_positives": [str(f) for f in (getattr(rule, "falsepositives", None) or [])],
        "license": rule.license or "DRL-1.1",
        "tags": [*info.tags, "soc-platform"],
        "threat": threat(info),
        "max_signals": 100,
        "version": 1,
    }
    if language != "esql":
        body["index"] = [index]
    return body


def export_elastic(paths: Sequence[Path], index: str = "logs-soc-events-*") -> ElasticExport:
    """One detection-rule object per convertible Sigma rule; the rest listed with the reason.

    Each backend gets its own parse of the files: pySigma applies pipelines to rules in place.
    """
    out = ElasticExport()
    lucene = backend_for("lucene", index=index)
    for rule in read_collection(paths).rules:
        if isinstance(rule, SigmaRule):
            try:
                for query in lucene.convert_rule(rule):
                    out.rules.append(detection_rule(rule, str(query), "lucene", index))
            except Exception as e:  # pySigma's unsupported features arrive as many exception types
                out.errors.append((str(rule.id or rule.title), f"{type(e).__name__}: {e}"))
    esql = backend_for("esql", index=index)
    rules = read_collection(paths).rules
    for rule in sorted(rules, key=lambda r: isinstance(r, SigmaCorrelationRule)):
        try:
            if isinstance(rule, SigmaRule):
                esql.convert_rule(rule)  # a correlation is built from its rules' state
            elif isinstance(rule, SigmaCorrelationRule):
                for query in esql.convert_correlation_rule(rule):
                    out.rules.append(detection_rule(rule, str(query), "esql", index))
        except Exception as e:  # pySigma's unsupported features arrive as many exception types
            if isinstance(rule, SigmaCorrelationRule):
                out.errors.append((str(rule.id or rule.title), f"{type(e).__name__}: {e}"))
    return out
