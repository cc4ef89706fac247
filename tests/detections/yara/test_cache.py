"""The compiled-rules cache: warm loads reuse it, changed rules or a damaged entry recompile."""

from __future__ import annotations

from pathlib import Path

from detections.yara.cache import load_rule_set
from detections.yara.rulesets import RuleRoot
from detections.yara.settings import YaraSettings


def _roots(tmp_path: Path) -> list[RuleRoot]:
    root = tmp_path / "rules"
    root.mkdir(exist_ok=True)
    (root / "a.yar").write_text('rule a { strings: $a = "alpha" condition: $a }\n')
    (root / "bad.yar").write_text("rule bad { condition: undefined_thing }\n")
    return [RuleRoot("t", root)]


def test_second_load_comes_from_the_cache_with_the_same_content(tmp_path: Path) -> None:
    roots, cache = _roots(tmp_path), tmp_path / "cache"
    cold = load_rule_set(roots, YaraSettings(), cache)
    warm = load_rule_set(roots, YaraSettings(), cache)
    assert (cold.from_cache, warm.from_cache) == (False, True)
    assert warm.key == cold.key
    assert warm.rule_count == cold.rule_count == 1
    assert [f.namespace for f in warm.files] == ["t/a.yar"]
    assert [Path(f.path).name for f in warm.failures] == ["bad.yar"]
    assert warm.rules is not None
    assert [m.rule for m in warm.rules.match(data=b"..alpha..")] == ["a"]


def test_changed_rule_file_gives_a_new_key_and_a_compile(tmp_path: Path) -> None:
    roots, cache = _roots(tmp_path), tmp_path / "cache"
    first = load_rule_set(roots, YaraSettings(), cache)
    (roots[0].path / "a.yar").write_text('rule a { strings: $a = "beta" condition: $a }\n')
    second = load_rule_set(roots, YaraSettings(), cache)
    assert second.key != first.key
    assert second.from_cache is False
    assert second.rules is not None
    assert [m.rule for m in second.rules.match(data=b"beta")] == ["a"]


def test_damaged_cache_entry_is_recompiled_not_fatal(tmp_path: Path) -> None:
    roots, cache = _roots(tmp_path), tmp_path / "cache"
    first = load_rule_set(roots, YaraSettings(), cache)
    (cache / f"{first.key}.yarc").write_bytes(b"not compiled rules")
    again = load_rule_set(roots, YaraSettings(), cache)
    assert again.from_cache is False
    assert again.rule_count == 1
    assert load_rule_set(roots, YaraSettings(), cache).from_cache is True


def test_cache_keeps_a_bounded_number_of_entries(tmp_path: Path) -> None:
    roots, cache = _roots(tmp_path), tmp_path / "cache"
    settings = YaraSettings(cache_entries=2)
    for n in range(4):
        (roots[0].path / "a.yar").write_text(f'rule a {{ strings: $a = "v{n}" condition: $a }}\n')
        load_rule_set(roots, settings, cache)
    assert len(list(cache.glob("*.yarc"))) == 2
    assert len(list(cache.glob("*.json"))) == 2
