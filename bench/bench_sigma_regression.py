"""SigmaHQ regression cases (../shared/datasets/sigma-regression-dev): how many pass here, next to
Zircolite's outcome recorded in the manifest. Prints a summary and every non-passing case.

Usage: ``.venv/bin/python bench/bench_sigma_regression.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sigma import read_events  # noqa: E402
from detections.sigma.engine import SigmaEngine  # noqa: E402
from detections.sigma.loader import load_rules  # noqa: E402

CASES = ROOT.parent / "shared" / "datasets" / "sigma-regression-dev"


def main() -> None:
    manifest = json.loads((CASES / "manifest.json").read_text())
    outcome: Counter[str] = Counter()
    zircolite: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        for case in manifest:
            zircolite[case["reference_zircolite"].split("(")[0]] += 1
            if not case["tests"]:
                outcome["no test"] += 1
                continue
            folder = CASES / case["case_dir"]
            ruleset = load_rules([folder / "rule.yml"], cache_dir=Path(cache))
            if not ruleset.rules:
                outcome["rule not loaded"] += 1
                print(f"not loaded: {case['title']}: {[i.reason for i in ruleset.report.issues]}")
                continue
            engine = SigmaEngine(ruleset.rules)
            test = case["tests"][0]
            events = read_events([folder / test["file"]])
            got = sum(1 for m in engine.match(events) if m.rule.id == case["rule_id"])
            expected = test["match_count"]
            if got == expected:
                outcome["pass (exact)"] += 1
            elif got > expected:
                outcome["pass (at least; more records match)"] += 1
                print(f"more than declared: {case['title']}: expected {expected}, got {got}")
            else:
                outcome["fail"] += 1
                print(f"FAIL: {case['title']}: expected {expected}, got {got}")
    print(f"{len(manifest)} cases in {time.perf_counter() - started:.1f} s")
    print("ours:     " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())))
    print("zircolite:" + ", ".join(f" {k} {v}" for k, v in sorted(zircolite.items())))


if __name__ == "__main__":
    main()
