"""The SOC's own Suricata rules as typed data: parsed from ``*.rules`` and checked at load."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from soc.errors import ContentError

PROJECT_RULES_DIR = Path(__file__).resolve().parents[1] / "rules" / "suricata"
SID_RANGE = range(9_100_000, 9_200_000)
LEVELS = ("informational", "low", "medium", "high", "critical")
ACTIONS = ("alert", "drop", "reject", "pass")

_HEADER = re.compile(
    r"^(?P<action>\w+)\s+(?P<proto>[\w-]+)\s+(?P<header>[^(]*?)\s*\((?P<body>.*)\)\s*$"
)
_TECHNIQUE = re.compile(r"^T\d{4}(?:\.\d{3})?$")


@dataclass(frozen=True)
class SuricataRule:
    """One rule line with the options the platform relies on pulled out."""

    sid: int
    rev: int
    msg: str
    action: str
    proto: str
    classtype: str | None
    metadata: dict[str, list[str]] = field(default_factory=dict)
    source: str = ""
    line: int = 0
    text: str = ""

    @property
    def level(self) -> str | None:
        values = self.metadata.get("soc_level")
        return values[0] if values else None


def split_options(body: str) -> list[tuple[str, str]]:
    """``key:value;`` pairs of a rule body; ``\\;`` inside a value does not end it."""
    options: list[tuple[str, str]] = []
    current: list[str] = []
    escaped = quoted = False
    for char in body:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            current.append(char)
            quoted = not quoted
        elif char == ";" and not quoted:
            option = "".join(current).strip()
            if option:
                key, _, value = option.partition(":")
                options.append((key.strip(), value.strip()))
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        raise ValueError("rule options must end with ';'")
    return options


def _metadata(values: Iterable[str]) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for value in values:
        for item in value.split(","):
            key, _, val = item.strip().partition(" ")
            if key:
                meta.setdefault(key, []).append(val.strip())
    return meta


def parse_rule(text: str, source: str = "", line: int = 0) -> SuricataRule:
    """Parse one rule line; raises ContentError with file and line when it is not a rule."""
    found = _HEADER.match(text.strip())
    if not found or found["action"] not in ACTIONS:
        raise ContentError("not a Suricata rule", source=source, line=line)
    try:
        options = split_options(found["body"])
    except ValueError as e:
        raise ContentError(str(e), source=source, line=line) from e
    values: dict[str, list[str]] = {}
    for key, value in options:
        values.setdefault(key, []).append(value)
    try:
        sid, rev = int(values["sid"][0]), int(values.get("rev", ["0"])[0])
    except (KeyError, ValueError) as e:
        raise ContentError("rule needs a numeric sid and rev", source=source, line=line) from e
    return SuricataRule(
        sid=sid,
        rev=rev,
        msg=values.get("msg", [""])[0].strip('"'),
        action=found["action"],
        proto=found["proto"],
        classtype=values.get("classtype", [None])[0],
        metadata=_metadata(values.get("metadata", [])),
        source=source,
        line=line,
        text=text.strip(),
    )


def read_rules(path: Path) -> list[SuricataRule]:
    """Every active rule of a ``.rules`` file (comments and blank lines skipped)."""
    rules: list[SuricataRule] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.strip() and not text.lstrip().startswith("#"):
            rules.append(parse_rule(text, str(path), number))
    return rules


def project_rule_files(folder: Path = PROJECT_RULES_DIR) -> list[Path]:
    return sorted(folder.glob("*.rules"))


def load_project_rules(folder: Path = PROJECT_RULES_DIR) -> list[SuricataRule]:
    rules = [rule for path in project_rule_files(folder) for rule in read_rules(path)]
    problems = check_project_rules(rules)
    if problems:
        raise ContentError(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
    return rules


def _rule_problems(rule: SuricataRule) -> list[str]:
    where = f"{Path(rule.source).name}:{rule.line} sid {rule.sid}"
    problems: list[str] = []
    if rule.sid not in SID_RANGE:
        problems.append(f"{where}: SID outside {SID_RANGE.start}-{SID_RANGE.stop - 1}")
    if rule.rev < 1:
        problems.append(f"{where}: rev must be 1 or more")
    if not rule.msg.startswith("SOC "):
        problems.append(f"{where}: msg must start with 'SOC '")
    if not rule.classtype:
        problems.append(f"{where}: classtype missing")
    if rule.level not in LEVELS:
        problems.append(f"{where}: metadata soc_level must be one of {', '.join(LEVELS)}")
    techniques = rule.metadata.get("mitre_technique_id", [])
    if not techniques or not all(_TECHNIQUE.match(t) for t in techniques):
        problems.append(f"{where}: metadata mitre_technique_id missing or malformed")
    return problems


def check_project_rules(rules: Sequence[SuricataRule]) -> list[str]:
    """Every problem in every rule (not just the first), SIDs unique across the files."""
    problems = [p for rule in rules for p in _rule_problems(rule)]
    seen: dict[int, SuricataRule] = {}
    for rule in rules:
        if rule.sid in seen:
            first = seen[rule.sid]
            problems.append(f"sid {rule.sid} used twice ({first.source}:{first.line})")
        seen.setdefault(rule.sid, rule)
    return problems


def concatenate(paths: Sequence[Path], target: Path) -> Path:
    """One rules file from several (``suricata -S`` loads exactly one file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"# ==> {p.name}\n{p.read_text(encoding='utf-8')}" for p in paths]
    target.write_text("\n".join(parts), encoding="utf-8")
    return target
