"""YARA benchmark: rule-set compile time cold and warm (cache), scan throughput in MB/s.

Run: ``.venv/bin/python bench/bench_yara.py [--corpus DIR ...] [--synthetic-mb N]``.
Rule sets: the project's rules, and signature-base from ../shared/datasets when present.
Corpus: a synthetic mix of web logs and PHP/JSP sources generated in a temporary folder, plus any
``--corpus`` folders (default: two staged datasets, read in place, when present).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detections.yara.cache import LoadedRuleSet, load_rule_set  # noqa: E402
from detections.yara.rulesets import RuleRoot, rule_roots  # noqa: E402
from detections.yara.scanner import FileScanner, ScanReport  # noqa: E402
from detections.yara.settings import YaraSettings  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
SIGNATURE_BASE = DATASETS / "yara-signature-base-dev" / "yara"
DEFAULT_CORPORA = [DATASETS / "weblogs-authlogs-dev", DATASETS / "evtx-to-mitre-attack-dev"]


def synthetic_corpus(folder: Path, megabytes: int, seed: int = 7) -> Path:
    """Benign-looking files: access logs, PHP and JSP sources, Vietnamese text."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    words = ["dich", "vu", "cong", "ho", "so", "thu", "tuc", "tra", "cuu", "portal", "api"]
    php = (
        "<?php\n$id = (int) $_GET['id'];\n$row = $db->query('SELECT * FROM hs WHERE id=' . $id);\n"
    )
    per_file = 256 * 1024
    for n in range(max(1, megabytes * 1024 * 1024 // per_file)):
        lines: list[str] = []
        size = 0
        while size < per_file:
            kind = rng.random()
            if kind < 0.6:
                line = (
                    f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)} - - "
                    f'[23/Nov/2026:08:{rng.randrange(60):02d}:00 +0700] "GET /dvc/'
                    f'{"/".join(rng.choices(words, k=3))} HTTP/1.1" 200 {rng.randrange(99999)}'
                )
            elif kind < 0.8:
                line = php + f"echo htmlspecialchars($row['{rng.choice(words)}']);"
            else:
                line = "Thủ tục hành chính được tiếp nhận và xử lý theo quy định. " * 3
            lines.append(line)
            size += len(line) + 1
        suffix = (".log", ".php", ".txt", ".jsp")[n % 4]
        (folder / f"f{n:05d}{suffix}").write_text("\n".join(lines), encoding="utf-8")
    return folder


def timed_load(roots: list[RuleRoot], cache: Path) -> tuple[LoadedRuleSet, float]:
    """Wall time of a whole load: finding and hashing the rule files included."""
    started = time.perf_counter()
    loaded = load_rule_set(roots, YaraSettings(), cache)
    return loaded, time.perf_counter() - started


def compile_figures(name: str, roots: list[RuleRoot], cache: Path) -> LoadedRuleSet:
    cold, cold_s = timed_load(roots, cache)
    warm, warm_s = timed_load(roots, cache)
    assert cold.from_cache is False and warm.from_cache is True
    print(
        f"{name:<28} rules {cold.rule_count:>5}  files {len(cold.files):>4} "
        f"(failed {len(cold.failures)})  load cold (compile) {cold_s:6.3f} s  "
        f"warm (cache) {warm_s:6.3f} s"
    )
    return warm


def scan_figures(name: str, rules: LoadedRuleSet, corpus: list[Path]) -> None:
    settings = YaraSettings(max_file_bytes=256 * 1024 * 1024, max_depth=64)
    scanner = FileScanner(rules, settings)
    report = ScanReport()
    started = time.perf_counter()
    matches = sum(1 for _ in scanner.scan(corpus, report))
    seconds = time.perf_counter() - started
    mb = report.bytes_scanned / 1e6
    print(
        f"{name:<46} scanned {report.files_scanned:>5} files {mb:8.1f} MB in {seconds:6.2f} s "
        f"= {mb / seconds:6.1f} MB/s  matches {matches}  skipped {dict(report.skipped)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, action="append", help="extra folders to scan")
    parser.add_argument("--synthetic-mb", type=int, default=32)
    args = parser.parse_args()
    print(f"# YARA benchmark — {platform.python_version()}, {platform.machine()}, 1 thread")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sets = {"project (soc)": rule_roots([])}
        if SIGNATURE_BASE.is_dir():
            sets["project + signature-base"] = rule_roots([SIGNATURE_BASE])
        loaded = {
            name: compile_figures(name, roots, work / "cache" / str(i))
            for i, (name, roots) in enumerate(sets.items())
        }
        corpus_dir = synthetic_corpus(work / "corpus", args.synthetic_mb)
        corpora = {"synthetic": [corpus_dir]}
        staged = args.corpus or [p for p in DEFAULT_CORPORA if p.is_dir()]
        if staged:
            corpora["staged datasets"] = staged
        for rules_name, rules in loaded.items():
            for corpus_name, folders in corpora.items():
                scan_figures(f"{rules_name} / {corpus_name}", rules, folders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
