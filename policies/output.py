"""How the policy commands show their results: compliance runs as a table or JSON, Rego tests
the way pytest reports them."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any, TextIO

from policies.compliance import RunSummary
from policies.regotest import TestResult, summary

_MARK = {"pass": "✓", "fail": "✗", "unknown": "?", "not_applicable": "–"}


def run_document(run: RunSummary) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "previous_run": run.previous_run,
        "profile": run.profile,
        "evaluated_at": run.at.isoformat(),
        "counts": run.counts(),
        "alerts_raised": run.alerts,
        "changes": [asdict(c) for c in run.changes],
        "systems": [
            {
                "id": s.system_id,
                "classification": s.classification,
                "layers": s.layers,
                "counts": s.counts(),
                "results": [asdict(r) for r in s.results],
            }
            for s in run.systems
        ],
    }


def print_run(run: RunSummary, *, verbose: bool = False, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(f"{run.run_id}  profile {run.profile}  at {run.at.isoformat()}\n")
    out.write(f"{'system':<20} {'level':>9}  layers   pass fail  unk  n/a\n")
    for s in run.systems:
        c = s.classification
        level = f"{c.get('approved') or '-'}/{c.get('level') or '-'}"
        flag = "!" if c.get("approved_lower") or not c.get("approved") else " "
        layers = "".join(_MARK.get(s.layers.get(n, {}).get("status", ""), " ") for n in "1234")
        n = s.counts()
        out.write(
            f"{s.system_id:<20} {level:>8}{flag}  {layers:<7} {n['pass']:>5} {n['fail']:>4}"
            f" {n['unknown']:>4} {n['not_applicable']:>4}\n"
        )
        for r in s.results:
            if verbose or r.status == "fail":
                out.write(f"    {_MARK[r.status]} {r.requirement_id:<8} {r.message_vi}\n")
    out.write("level = approved/criteria (! when lower or unapproved); layers 1–4\n")
    if run.previous_run is None:
        out.write("first run: no earlier results to compare with\n")
        return
    out.write(
        f"changes since {run.previous_run}: {len(run.changes)}; alerts raised: {run.alerts}\n"
    )
    for ch in run.changes:
        out.write(
            f"    {ch.system_id:<20} {ch.requirement_id:<8} {ch.before or '-'} → {ch.after}\n"
        )


class TestReporter:
    """Dots per file (or one line per test with ``verbose``), failures listed at the end."""

    def __init__(self, *, verbose: bool = False, out: TextIO | None = None) -> None:
        self.verbose, self.out = verbose, out or sys.stdout
        self._file: str | None = None

    def __call__(self, result: TestResult) -> None:
        if self.verbose:
            self.out.write(f"{result.nodeid} {result.outcome.upper()}\n")
            return
        if result.file != self._file:
            if self._file is not None:
                self.out.write("\n")
            self._file = result.file
            self.out.write(f"{result.file} ")
        self.out.write({"passed": ".", "failed": "F", "error": "E"}[result.outcome])

    def finish(self, results: list[TestResult], seconds: float) -> int:
        if not self.verbose and self._file is not None:
            self.out.write("\n")
        bad = [r for r in results if r.outcome != "passed"]
        if bad:
            self.out.write("=" * 30 + " FAILURES " + "=" * 30 + "\n")
            for r in bad:
                self.out.write(f"{r.nodeid}: {r.outcome.upper()}: {r.detail}\n")
        self.out.write(f"{'=' * 20} {summary(results, seconds)} {'=' * 20}\n")
        return 1 if bad or not results else 0
