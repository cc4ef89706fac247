"""Checks on the project's own YARA rules: the metadata the platform reads must be there."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import yara

from detections.yara.events import LEVEL_SEVERITY

REQUIRED_META = ("id", "description", "author", "date", "level")
RULE_NAME = re.compile(r"^SOC_[A-Za-z0-9_]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rule_problems(rule: yara.Rule) -> list[str]:
    name = rule.identifier
    meta = dict(rule.meta)
    problems = [f"{name}: missing meta {key!r}" for key in REQUIRED_META if key not in meta]
    if not RULE_NAME.match(rule.identifier):
        problems.append(f"{name}: project rule names start with SOC_")
    if "level" in meta and meta["level"] not in LEVEL_SEVERITY:
        problems.append(f"{name}: level {meta['level']!r} not one of {sorted(LEVEL_SEVERITY)}")
    if "date" in meta and not DATE.match(str(meta["date"])):
        problems.append(f"{name}: date {meta['date']!r} is not YYYY-MM-DD")
    if "id" in meta:
        try:
            uuid.UUID(str(meta["id"]))
        except ValueError:
            problems.append(f"{name}: id {meta['id']!r} is not a UUID")
    return problems


def check_project_rules(rules: Iterable[yara.Rule]) -> list[str]:
    """Every problem in every rule (not just the first), ids unique across the rule set."""
    problems: list[str] = []
    owners: dict[str, str] = {}
    for rule in rules:
        problems.extend(_rule_problems(rule))
        rule_id = str(dict(rule.meta).get("id", ""))
        if rule_id and rule_id in owners:
            problems.append(f"{rule.identifier}: id {rule_id} already used by {owners[rule_id]}")
        owners.setdefault(rule_id, rule.identifier)
    return problems
