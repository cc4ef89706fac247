"""ATT&CK Enterprise tactics (ids, Sigma tag names, display names) and the Navigator layer of
what the loaded rules cover. Kept here so exports work offline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from detections.base import RuleInfo

# id → (Sigma tag name, display name)
TACTICS: dict[str, tuple[str, str]] = {
    "TA0043": ("reconnaissance", "Reconnaissance"),
    "TA0042": ("resource-development", "Resource Development"),
    "TA0001": ("initial-access", "Initial Access"),
    "TA0002": ("execution", "Execution"),
    "TA0003": ("persistence", "Persistence"),
    "TA0004": ("privilege-escalation", "Privilege Escalation"),
    "TA0005": ("defense-evasion", "Defense Evasion"),
    "TA0112": ("stealth", "Stealth"),
    "TA0006": ("credential-access", "Credential Access"),
    "TA0007": ("discovery", "Discovery"),
    "TA0008": ("lateral-movement", "Lateral Movement"),
    "TA0009": ("collection", "Collection"),
    "TA0011": ("command-and-control", "Command and Control"),
    "TA0010": ("exfiltration", "Exfiltration"),
    "TA0040": ("impact", "Impact"),
}
_BY_NAME = {name: ident for ident, (name, _) in TACTICS.items()}


def tactic_id(name: str) -> str | None:
    """``lateral-movement`` / ``lateral_movement`` / ``TA0008`` → ``TA0008``."""
    text = name.strip().lower().replace("_", "-")
    if text.upper() in TACTICS:
        return text.upper()
    return _BY_NAME.get(text)


def navigator_layer(
    rules: Iterable[RuleInfo], name: str = "SOC detection coverage"
) -> dict[str, Any]:
    """An ATT&CK Navigator layer (format 4.5): techniques scored by how many rules cover them."""
    counts: Counter[str] = Counter()
    titles: dict[str, list[str]] = {}
    for rule in rules:
        for technique in rule.techniques:
            counts[technique] += 1
            titles.setdefault(technique, []).append(rule.title)
    top = max(counts.values(), default=1)
    return {
        "name": name,
        "versions": {"layer": "4.5", "navigator": "5.1.0", "attack": "16"},
        "domain": "enterprise-attack",
        "description": f"{sum(counts.values())} rule-technique links over {len(counts)} techniques",
        "techniques": [
            {
                "techniqueID": technique,
                "score": count,
                "comment": "; ".join(sorted(set(titles[technique]))[:20]),
            }
            for technique, count in sorted(counts.items())
        ],
        "gradient": {"colors": ["#ffffff", "#66b1ff", "#ff6666"], "minValue": 0, "maxValue": top},
        "legendItems": [],
    }
