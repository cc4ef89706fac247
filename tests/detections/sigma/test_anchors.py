"""Anchors: only keys a rule really needs, so skipping rules without them changes nothing."""

from __future__ import annotations

from sigma.types import SpecialChars

from detections.sigma.anchors import GramCounts, _glob_literals, anchors, base_key, grams
from detections.sigma.ir import _glob_regex

IMG = "winlog.event_data.Image"
CLI = "winlog.event_data.CommandLine"


def leaf(path: str, kind: str, value: str, cased: bool = False) -> list[object]:
    return ["m", path, kind, value, cased]


def test_basename_and_exact_keys() -> None:
    expr = [
        "and",
        [
            "or",
            leaf(IMG, "ew", "\\certutil.exe"),
            leaf("winlog.event_data.OriginalFileName", "eq", "certutil.exe"),
        ],
        leaf(CLI, "ct", "urlcache"),
    ]
    assert anchors(expr) == [
        (IMG, "base", "\\certutil.exe"),
        ("winlog.event_data.OriginalFileName", "eq", "certutil.exe"),
    ]
    assert base_key("c:\\windows\\system32\\certutil.exe") == "\\certutil.exe"
    assert base_key("certutil.exe") is None


def test_no_anchor_when_an_alternative_has_none_or_under_not() -> None:
    assert anchors(["or", leaf(IMG, "ew", "\\a.exe"), leaf(CLI, "re", "x")]) is None
    assert anchors(["not", leaf(IMG, "eq", "a")]) is None
    assert anchors(leaf(IMG, "eq", "A", cased=True)) is None  # case-sensitive values are not keys
    assert anchors(leaf(None, "ct", "mimikatz")) is None  # type: ignore[arg-type]


def test_contains_uses_a_rare_piece_of_the_needle() -> None:
    counts = GramCounts()
    for needle in ("sha256=aaaa", "sha256=bbbb", "sha256=c1d2"):
        counts.add_rule(leaf("winlog.event_data.Hashes", "ct", needle))
    (anchor,) = anchors(leaf("winlog.event_data.Hashes", "ct", "sha256=c1d2"), counts) or []
    assert anchor[1] == "tri" and anchor[2] in "sha256=c1d2" and anchor[2] not in "sha256=aaaa"


def test_glob_literal_runs() -> None:
    star, one = SpecialChars.WILDCARD_MULTI, SpecialChars.WILDCARD_SINGLE
    pattern = _glob_regex([star, "Ipconfig", star, "|", star, "find", one, "x.e"], False)
    assert _glob_literals(pattern) == ["ipconfig", "find", "x.e"]


def test_grams_give_up_on_very_long_values() -> None:
    assert grams("abcd") == {"abc", "bcd"}
    assert grams(None) == set()
    assert grams("x" * 5000) is None
