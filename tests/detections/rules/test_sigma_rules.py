"""Every Sigma rule of ours fires on its positive samples and stays quiet on its negative ones,
in streaming (generated code) and in scheduled SQL; correlations on their scenarios.

One parametrised test per concern; each lists all offenders of a rule at once.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from detections.sigma.engine import SigmaEngine
from detections.sigma.loader import PROJECT_RULES, SAMPLE_SUFFIX, load_rules
from detections.sigma.routing import default_routing
from detections.sigma.scheduled import ScheduledRule, compile_scheduled, connect
from detections.sigma.scheduler import scan
from detections.sigma.targets import read_collection
from soc.stores.sqlite import SqliteEventStore
from tests.detections.rules.samples import Samples, load_samples

RULE_FILES = sorted(p for p in PROJECT_RULES.rglob("*.yml") if not p.name.endswith(SAMPLE_SUFFIX))
IDS = [str(p.relative_to(PROJECT_RULES)) for p in RULE_FILES]
LEVELS = {"informational", "low", "medium", "high", "critical"}
TACTIC_FILE = re.compile(r"^([a-z_]+?)_[a-z0-9_]+\.yml$")


def _samples(rule_file: Path) -> Samples:
    path = rule_file.with_name(rule_file.stem + SAMPLE_SUFFIX)
    assert path.is_file(), f"no samples beside {rule_file.name} ({path.name})"
    return load_samples(path)


def _sql_fired(
    tmp: Path, rules: list[ScheduledRule], events: list[dict[str, Any]]
) -> set[tuple[str, str]]:
    """(rule id, event id) pairs the scheduled SQL of ``rules`` reports over ``events``."""
    store = SqliteEventStore(tmp / "events.db")
    try:
        store.write(events)
    finally:
        store.close()
    connection = connect(tmp / "events.db")
    try:
        found = set()
        for rule in rules:
            for match in scan(connection, rule, 0, len(events) + 10):
                for event_id in match.ids:
                    found.add((rule.info.id, event_id))
        return found
    finally:
        connection.close()


def _check_singles(rule_file: Path, samples: Samples, tmp: Path) -> list[str]:
    ruleset = load_rules([rule_file], keep_correlation_bases=True)
    ids = {r.info.id for r in ruleset.rules}
    if not ids:
        return []
    offenders = []
    if not samples.match or not samples.no_match:
        offenders.append("needs at least one match and one no_match sample")
    engine = SigmaEngine(ruleset.rules)
    expected = [(ev, True) for ev in samples.match] + [(ev, False) for ev in samples.no_match]
    for ev, should in expected:
        fired = bool({m.rule.id for m in engine.match([ev])} & ids)
        if fired != should:
            offenders.append(f"streaming: {'missed' if should else 'fired on'} {_show(ev)}")
    scheduled, issues = compile_scheduled(read_collection([rule_file]), singles=True)
    offenders += [f"SQL: {i.reason}" for i in issues]
    singles = [r for r in scheduled if r.kind == "single"] if samples.sql else []
    if not singles:
        return offenders
    sql = _sql_fired(tmp / "singles", singles, [ev for ev, _ in expected])
    for ev, should in expected:
        fired = any(eid == ev["event"]["id"] for _, eid in sql)
        if fired != should:
            offenders.append(f"SQL: {'missed' if should else 'fired on'} {_show(ev)}")
    return offenders


def _check_scenarios(rule_file: Path, samples: Samples, tmp: Path) -> list[str]:
    scheduled, issues = compile_scheduled(read_collection([rule_file]))
    if not scheduled:
        return [f"correlation: {i.reason}" for i in issues]
    offenders = [f"correlation: {i.reason}" for i in issues]
    if {s.expect for s in samples.scenarios} != {True, False}:
        offenders.append("needs a matching and a non-matching scenario")
    for n, scenario in enumerate(samples.scenarios):
        folder = tmp / f"scenario{n}"
        folder.mkdir()
        fired = bool(_sql_fired(folder, scheduled, scenario.events))
        if fired != scenario.expect:
            offenders.append(
                f"scenario {scenario.name!r}: {'missed' if scenario.expect else 'fired'}"
            )
    return offenders


def _show(ev: dict[str, Any]) -> str:
    return str(ev.get("message") or ev.get("url", {}).get("original") or ev.get("event", {}))[:160]


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=IDS)
def test_rule_on_its_samples(rule_file: Path, tmp_path: Path) -> None:
    samples = _samples(rule_file)
    (tmp_path / "singles").mkdir()
    offenders = _check_singles(rule_file, samples, tmp_path)
    if "correlation:" in rule_file.read_text(encoding="utf-8"):
        offenders += _check_scenarios(rule_file, samples, tmp_path)
    assert not offenders, f"{rule_file.name}:\n  " + "\n  ".join(offenders)


def _metadata_problems(doc: dict[str, Any], name: str) -> list[str]:
    problems = []
    for key in ("title", "id", "status", "description", "author", "date", "level", "tags"):
        if not doc.get(key):
            problems.append(f"missing {key}")
    try:
        uuid.UUID(str(doc.get("id")))
    except ValueError:
        problems.append("id is not a UUID")
    if doc.get("level") not in LEVELS:
        problems.append(f"level {doc.get('level')!r}")
    tags = [str(t) for t in doc.get("tags") or []]
    if not any(re.fullmatch(r"attack\.t\d{4}(\.\d{3})?", t) for t in tags):
        problems.append("no ATT&CK technique tag")
    if "logsource" in doc and default_routing().route(doc["logsource"]) is None:
        problems.append(f"no dataset collects logsource {doc['logsource']}")
    return problems


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=IDS)
def test_rule_metadata(rule_file: Path) -> None:
    problems = []
    docs = [d for d in yaml.safe_load_all(rule_file.read_text(encoding="utf-8")) if d]
    for doc in docs:
        problems += [f"{doc.get('title')}: {p}" for p in _metadata_problems(doc, rule_file.name)]
    tactics = {
        str(t).removeprefix("attack.").replace("-", "_") for d in docs for t in d.get("tags") or []
    }
    if not TACTIC_FILE.match(rule_file.name) or not any(
        rule_file.name.startswith(t + "_") for t in tactics
    ):
        problems.append(
            "file name must start with an ATT&CK tactic of its rules (<tactic>_<what>.yml)"
        )
    assert not problems, "\n".join(problems)


def test_enough_content_with_unique_ids() -> None:
    ruleset = load_rules([PROJECT_RULES])
    assert not ruleset.report.failed, [(i.path, i.reason) for i in ruleset.report.failed]
    documents = [
        d for p in RULE_FILES for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d
    ]
    ids = [d["id"] for d in documents]
    assert len(ids) == len(set(ids))
    detections = [d for d in documents if "correlation" in d or d.get("level") != "informational"]
    assert len(detections) >= 40
