"""Compiled YARA rules cached on disk (``<home>/cache/yara``), keyed by rule-file contents."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yara

from detections.yara.rulesets import (
    DEFAULT_EXTERNALS,
    RuleFile,
    RuleFileFailure,
    RuleRoot,
    compile_rule_files,
    ruleset_of,
    select_rule_files,
)
from detections.yara.settings import YaraSettings

CACHE_FORMAT = 1


@dataclass(frozen=True)
class LoadedRuleSet:
    """Compiled rules plus what went into them: the loaded files and the ones that failed."""

    rules: yara.Rules | None
    files: tuple[RuleFile, ...]
    failures: tuple[RuleFileFailure, ...]
    rule_count: int
    key: str
    from_cache: bool
    seconds: float

    def files_by_ruleset(self) -> dict[str, int]:
        """Rule files loaded per rule set (compiled rules do not say which file they came from)."""
        return dict(Counter(ruleset_of(f.namespace) for f in self.files))

    def summary(self) -> dict[str, object]:
        return {
            "rules": self.rule_count,
            "files_loaded": len(self.files),
            "files_failed": len(self.failures),
            "files_by_ruleset": self.files_by_ruleset(),
            "from_cache": self.from_cache,
            "seconds": round(self.seconds, 3),
        }


def cache_key(files: Sequence[RuleFile], externals: dict[str, str]) -> str:
    h = hashlib.sha256()
    h.update(f"format={CACHE_FORMAT};yara-python={yara.__version__};includes=0\n".encode())
    for name in sorted(externals):
        h.update(f"external {name}={externals[name]!r}\n".encode())
    for rule_file in files:
        h.update(f"{rule_file.namespace}\0{rule_file.digest}\n".encode())
    return h.hexdigest()


class RuleSetCache:
    """One ``<key>.yarc`` (``yara.Rules.save``) and ``<key>.json`` (what it holds) per rule set."""

    def __init__(self, directory: Path, max_entries: int = 8) -> None:
        self.directory = directory
        self.max_entries = max_entries

    def get(self, key: str, files: Sequence[RuleFile]) -> LoadedRuleSet | None:
        compiled, manifest = self._paths(key)
        started = time.perf_counter()
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            rules = yara.load(str(compiled))
        except (OSError, ValueError, yara.Error):
            return None  # missing or damaged: compile again
        by_namespace = {f.namespace: f for f in files}
        loaded = [by_namespace[ns] for ns in meta.get("namespaces", []) if ns in by_namespace]
        failures = [RuleFileFailure(**item) for item in meta.get("failures", [])]
        os.utime(compiled)  # most recently used entries survive pruning
        return LoadedRuleSet(
            rules,
            tuple(loaded),
            tuple(failures),
            int(meta.get("rule_count", 0)),
            key,
            True,
            time.perf_counter() - started,
        )

    def put(self, loaded: LoadedRuleSet) -> None:
        if loaded.rules is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        compiled, manifest = self._paths(loaded.key)
        meta = {
            "format": CACHE_FORMAT,
            "yara_python": yara.__version__,
            "rule_count": loaded.rule_count,
            "namespaces": [f.namespace for f in loaded.files],
            "failures": [f.as_dict() for f in loaded.failures],
        }
        tmp = compiled.with_suffix(f".tmp{os.getpid()}")
        loaded.rules.save(str(tmp))
        os.replace(tmp, compiled)
        tmp_manifest = manifest.with_suffix(f".tmp{os.getpid()}")
        tmp_manifest.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp_manifest, manifest)
        self._prune()

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.yarc", self.directory / f"{key}.json"

    def _prune(self) -> None:
        entries = sorted(
            self.directory.glob("*.yarc"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for stale in entries[self.max_entries :]:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".json").unlink(missing_ok=True)


def load_rule_set(
    roots: Sequence[RuleRoot], settings: YaraSettings, cache_dir: Path | None = None
) -> LoadedRuleSet:
    """Select, then load from the cache or compile (and cache) the rules under ``roots``."""
    selection = select_rule_files(
        roots, max_files=settings.max_rule_files, max_file_bytes=settings.max_rule_file_bytes
    )
    key = cache_key(selection.files, DEFAULT_EXTERNALS)
    cache = RuleSetCache(cache_dir, settings.cache_entries) if cache_dir else None
    cached = cache.get(key, selection.files) if cache else None
    if cached is not None:
        return _with_selection_failures(cached, selection.failures)
    started = time.perf_counter()
    rules, good, failures = compile_rule_files(selection.files, DEFAULT_EXTERNALS)
    loaded = LoadedRuleSet(
        rules,
        tuple(good),
        tuple(failures),
        sum(1 for _ in rules) if rules is not None else 0,
        key,
        False,
        time.perf_counter() - started,
    )
    if cache:
        cache.put(loaded)
    return _with_selection_failures(loaded, selection.failures)


def _with_selection_failures(
    loaded: LoadedRuleSet, extra: Sequence[RuleFileFailure]
) -> LoadedRuleSet:
    return replace(loaded, failures=tuple(extra) + loaded.failures) if extra else loaded
