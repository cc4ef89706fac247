"""Anchors: a value a rule cannot match without, usable as a dictionary key.

Most Windows process rules require ``Image|endswith: '\\tool.exe'``, ``OriginalFileName:
'tool.exe'`` or some ``CommandLine|contains`` text somewhere in an AND. Such a rule is tested
only when the event offers one of its anchor keys — the image basename, the exact value, or a
three-character piece of the needle found among the value's own pieces — so a bucket of 1,400
rules costs a few lookups plus the rules that have no anchor, instead of 1,400 tests.
"""

from __future__ import annotations

from typing import Any

Anchor = tuple[str, str, str]  # (ECS path, "eq" | "base" | "tri", lower-cased key)
MAX_GRAM_TEXT = 4096  # longer values test every trigram-anchored rule instead of indexing

# Trigrams too common in Windows paths and command lines to tell rules apart.
_COMMON = frozenset(
    [
        "exe",
        ".ex",
        "xe ",
        "\\wi",
        "win",
        "ind",
        "ndo",
        "dow",
        "ows",
        "sys",
        "yst",
        "ste",
        "tem",
        "em3",
        "m32",
        "32\\",
        ":\\w",
        "c:\\",
        "\\sy",
        "ws\\",
        "pro",
        "rog",
        "ogr",
        "gra",
        "ram",
        "ion",
        "tio",
        "ing",
        "the",
        "er ",
        " -",
        "ell",
        "she",
        "hel",
        "ll.",
        "dll",
        ".dl",
        "all",
    ]
)
_COST = {"eq": 1, "base": 1, "tri": 3}


def gram_rank(gram: str) -> int:
    """Lower is rarer: punctuation and digits beat letters; well-known pieces come last."""
    if gram in _COMMON:
        return 2
    return 0 if any(not (c.isalpha() or c == " ") for c in gram) else 1


def _grams_of(text: str) -> list[str]:
    return [text[i : i + 3] for i in range(len(text) - 2)]


def _glob_literals(pattern: str) -> list[str]:
    """Literal runs of a glob compiled by ir._glob_regex (``re.escape`` text, ``.*`` and ``.``)."""
    runs, current, i = [], [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            current.append(pattern[i + 1])
            i += 2
            continue
        if char == ".":
            runs.append("".join(current))
            current = []
            i += 2 if pattern[i + 1 : i + 2] == "*" else 1
            continue
        current.append(char)
        i += 1
    runs.append("".join(current))
    return [r for r in runs if len(r) >= 3]


class GramCounts:
    """How many needles of a bucket share each trigram: shared pieces are poor anchors."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def add_rule(self, node: list[Any]) -> None:
        if node[0] in ("and", "or", "not"):
            for child in node[1:]:
                self.add_rule(child)
            return
        for needle in _needles(node):
            for gram in set(_grams_of(needle)):
                key = (node[1], gram)
                self.counts[key] = self.counts.get(key, 0) + 1

    def best(self, path: str, needle: str) -> str:
        grams = _grams_of(needle)
        return min(
            grams, key=lambda g: (gram_rank(g) >= 2, self.counts.get((path, g), 0), gram_rank(g))
        )


def _needles(node: list[Any]) -> list[str]:
    if node[0] != "m" or node[1] is None or node[4] or not isinstance(node[3], str):
        return []
    if node[2] in ("ct", "sw", "ew") and len(node[3]) >= 3:
        return [node[3]]
    if node[2] == "glob":
        return _glob_literals(node[3])
    return []


def _leaf_anchor(node: list[Any], counts: GramCounts) -> Anchor | None:
    if node[0] != "m" or node[1] is None or node[4]:  # keyword or case-sensitive
        return None
    kind, value = node[2], node[3]
    if not isinstance(value, str):
        return None
    if kind == "eq":
        return (node[1], "eq", value)
    if kind == "ew" and value.startswith("\\") and "\\" not in value[1:]:
        return (node[1], "base", value)
    needles = _needles(node)
    if needles:  # any piece of the longest literal run must be in the value
        return (node[1], "tri", counts.best(node[1], max(needles, key=len)))
    return None


def _cost(found: list[Anchor], counts: GramCounts) -> float:
    total = 0.0
    for path, mode, key in found:
        total += _COST[mode] + (counts.counts.get((path, key), 0) * 0.5 if mode == "tri" else 0)
    return total


def anchors(node: list[Any], counts: GramCounts | None = None) -> list[Anchor] | None:
    """Keys of which at least one must hold for the node to hold; None if there are none."""
    counts = counts or GramCounts()
    op = node[0]
    if op == "m":
        leaf = _leaf_anchor(node, counts)
        return [leaf] if leaf else None
    if op == "and":
        found = [a for a in (anchors(child, counts) for child in node[1:]) if a]
        return min(found, key=lambda a: _cost(a, counts)) if found else None
    if op == "or":
        out: list[Anchor] = []
        for child in node[1:]:
            child_anchors = anchors(child, counts)
            if not child_anchors:
                return None  # one alternative without an anchor: the rule may hold without any
            out.extend(child_anchors)
        return sorted(set(out))
    return None  # "not" and "true" promise nothing


def base_key(value: str | None) -> str | None:
    """``c:\\windows\\system32\\certutil.exe`` → ``\\certutil.exe`` (what ``base`` keys hold)."""
    if value is None:
        return None
    cut = value.rfind("\\")
    return value[cut:] if cut >= 0 else None


def grams(value: str | None) -> set[str] | None:
    """Every three-character piece of a value; None (= "test them all") when it is too long."""
    if value is None:
        return set()
    if len(value) > MAX_GRAM_TEXT:
        return None
    return {value[i : i + 3] for i in range(len(value) - 2)}
