"""EVTX-to-MITRE-Attack (../shared/datasets/evtx-to-mitre-attack-dev) with SigmaHQ Windows rules.

1. Every (file, record, rule) of the manifest's Zircolite reference is matched by us.
2. (slow: the full ~3,000-rule set) Every match of ours that Zircolite lacks is explained:
   a keyword rule (its SQL backend converts none), a Security 4688/4657 variant (it ran Sysmon
   mappings only), or a verdict that flips under SQL semantics (absent and empty fields are NULL,
   booleans 1/0, three-valued NOT).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from detections.sigma.engine import SigmaEngine
from detections.sigma.loader import load_rules
from tests.conftest import DATASETS
from tests.detections.sigma.corpus import WINDOWS_TREES, read_evtx, rules_by_id
from tests.detections.sigma.sql_semantics import evaluate_sql, has_keywords

ROOT = DATASETS / "evtx-to-mitre-attack-dev"
RULES = DATASETS / "sigma-rules"
pytestmark = pytest.mark.skipif(
    not (ROOT / "manifest.json").is_file() or not RULES.is_dir(),
    reason="evtx-to-mitre-attack-dev or sigma-rules is not present",
)
Key = tuple[str, int, str]


def _manifest() -> list[dict[str, Any]]:
    return json.loads((ROOT / "manifest.json").read_text())


def _reference(manifest: list[dict[str, Any]]) -> set[Key]:
    return {
        (Path(m["file"]).name, int(record), rule)
        for m in manifest
        for record, rule in m["zircolite_reference_records"]
    }


def _events(manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [ev for m in manifest for ev in read_evtx(ROOT / m["file"])]


def _key(event: dict[str, Any], rule_id: str) -> Key:
    return (Path(event["log"]["file"]["path"]).name, int(event["winlog"]["record_id"]), rule_id)


def test_every_zircolite_reference_match_is_ours(tmp_path: Path) -> None:
    manifest = _manifest()
    reference = _reference(manifest)
    by_id = rules_by_id(RULES, WINDOWS_TREES)
    files = sorted({by_id[rule] for _, _, rule in reference if rule in by_id})
    assert len(files) == len({rule for _, _, rule in reference})  # every rule found on disk
    ruleset = load_rules(files, cache_dir=tmp_path)
    engine = SigmaEngine(ruleset.rules)
    ours = {_key(m.event, m.rule.id) for m in engine.match(_events(manifest))}
    missing = sorted(reference - ours)
    assert not missing, f"{len(missing)} reference matches missing, e.g. {missing[:5]}"


@pytest.mark.slow
def test_every_extra_match_is_explained(tmp_path: Path) -> None:
    manifest = _manifest()
    reference = _reference(manifest)
    ruleset = load_rules([RULES / t for t in WINDOWS_TREES], cache_dir=tmp_path)
    engine = SigmaEngine(ruleset.rules)
    compiled = {(r.info.id, r.variant): r for r in ruleset.rules}
    reasons: Counter[str] = Counter()
    unexplained = []
    for event in _events(manifest):
        for index in engine.match_event(event):
            rule = engine.compiled[index]
            if _key(event, rule.info.id) in reference:
                continue
            reason = _why(rule.expr, rule.variant, event, compiled)
            reasons[reason] += 1
            if reason == "unexplained":
                unexplained.append((_key(event, rule.info.id), rule.info.title))
    assert not unexplained, unexplained[:10]
    assert reasons["keywords"] > 0  # the corpus does exercise the difference


def _why(expr: list[Any], variant: str, event: dict[str, Any], compiled: dict[Any, Any]) -> str:
    if has_keywords(expr):
        return "keywords"
    if variant == "security":
        return "security-4688-variant"
    if evaluate_sql(expr, event) is not True:
        return "sql-null-and-boolean-semantics"
    return "unexplained"
