"""Sigma benchmark: SigmaHQ's Windows rules (~2,970) over EVTX corpora, compiled once.

Prints rule compile time cold and warm (on-disk cache), detection throughput (events/s, best of
N runs over events already parsed), matches, and each phase's peak RSS (each phase runs in its
own process). With ``--zircolite DIR`` (a checkout kept OUTSIDE this repository) it runs
Zircolite on the same files and rules (``--unified-db``, pipelines sysmon + windows-logsources)
and compares throughput and the match set with ours in the same Sysmon-only mode.

Usage:
    .venv/bin/python bench/bench_sigma.py [--corpus mitre|regression] [--copies N] [--runs N]
        [--zircolite /tmp/zircolite --zircolite-path /tmp/zdeps]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"
RULE_TREES = ("rules/windows", "rules-emerging-threats", "rules-threat-hunting/windows")


def rule_paths() -> list[Path]:
    return [DATASETS / "sigma-rules" / tree for tree in RULE_TREES]


def corpus_files(name: str, copies: int, workdir: Path) -> list[Path]:
    """The EVTX files of a corpus; ``copies`` > 1 repeats them under distinct names."""
    if name == "mitre":
        files = sorted((DATASETS / "evtx-to-mitre-attack-dev" / "evtx").rglob("*.evtx"))
    else:
        files = sorted((DATASETS / "sigma-regression-dev" / "cases").rglob("*.evtx"))
    if name == "mitre" and copies <= 1:
        return files
    out = []
    folder = workdir / "corpus"  # one folder, distinct names: both tools read the same files
    folder.mkdir(exist_ok=True)
    for n in range(max(1, copies)):
        for i, path in enumerate(files):
            target = folder / f"c{n:03d}_{i:04d}_{path.name}"
            if not target.exists():
                shutil.copyfile(path, target)
            out.append(target)
    return out


def read_events(files: list[Path]) -> list[dict[str, Any]]:
    from collectors.base import DeadLetter, RawRecord, source_key
    from collectors.dispatch import parse_record
    from collectors.registry import build_source_types
    from soc.config import IngestSettings

    kind = build_source_types(IngestSettings())["evtx"]
    events: list[dict[str, Any]] = []
    for path in files:
        with path.open("rb") as stream:
            for item in kind.reader.read(stream, source_key(path)):
                if isinstance(item, RawRecord):
                    parsed = parse_record(kind.parsers, item, kind.name, 1024)
                    if not isinstance(parsed, DeadLetter):
                        events.extend(parsed)
    return events


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_compile(cache: Path, audit: bool = True) -> dict[str, Any]:
    from detections.sigma.engine import SigmaEngine
    from detections.sigma.loader import load_rules

    started = time.perf_counter()
    ruleset = load_rules(rule_paths(), cache_dir=cache, audit=audit)
    loaded = time.perf_counter()
    SigmaEngine(ruleset.rules, code_cache=cache)
    done = time.perf_counter()
    report = ruleset.report
    return {
        "rules": report.loaded,
        "skipped": len(report.skipped),
        "failed": len(report.failed),
        "variants": len(ruleset.rules),
        "load_s": round(loaded - started, 2),
        "codegen_s": round(done - loaded, 2),
        "total_s": round(done - started, 2),
        "rss_mb": round(peak_rss_mb(), 1),
        "workers_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def _key(match: Any) -> tuple[str, int, str]:
    event = match.event
    return (Path(event["log"]["file"]["path"]).name, event["winlog"]["record_id"], match.rule.id)


def phase_detect(cache: Path, files: list[Path], runs: int, audit: bool) -> dict[str, Any]:
    from detections.sigma.engine import SigmaEngine
    from detections.sigma.loader import load_rules

    ruleset = load_rules(rule_paths(), cache_dir=cache, audit=audit)
    engine = SigmaEngine(ruleset.rules, code_cache=cache)
    started = time.perf_counter()
    events = read_events(files)
    parse_s = time.perf_counter() - started
    best = float("inf")
    matches: list[Any] = []
    for _ in range(runs):
        started = time.perf_counter()
        matches = list(engine.match(events))
        best = min(best, time.perf_counter() - started)
    keys = sorted(
        {
            (Path(m.event["log"]["file"]["path"]).name, m.event["winlog"]["record_id"], m.rule.id)
            for m in matches
        }
    )
    return {
        "events": len(events),
        "parse_s": round(parse_s, 2),
        "detect_s": round(best, 3),
        "events_per_s": round(len(events) / best) if best else None,
        "matched_events": len(keys),
        "rules_matched": len({k[2] for k in keys}),
        "fallbacks": engine.fallbacks,
        "rss_mb": round(peak_rss_mb(), 1),
        "keys": keys,
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_zircolite(
    checkout: Path, extra_path: str, files: list[Path], workdir: Path
) -> dict[str, Any]:
    """Zircolite 3.x CLI on the same files and rule trees; its own timing lines are parsed."""
    folder = files[0].parent if len({f.parent for f in files}) == 1 else None
    evtx = folder or (DATASETS / "evtx-to-mitre-attack-dev" / "evtx")
    out = workdir / "zircolite.json"
    env = dict(os.environ, PYTHONPATH=extra_path, NO_COLOR="1", COLUMNS="200")
    cmd = ["/usr/bin/time", "-v", sys.executable, "zircolite.py", "-e", str(evtx),
           "-r", *map(str, rule_paths()),
           "-p", "sysmon", "windows-logsources", "--unified-db", "-o", str(out)]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - started
    text = _ANSI.sub("", proc.stdout + proc.stderr)
    processing = re.search(r"Processing\D+([\d.]+)s", text)
    throughput = re.search(r"Throughput\s+([\d,]+) events/s", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    results = json.loads(out.read_text()) if out.is_file() else []
    keys = sorted(
        {
            (m.get("OriginalLogfile"), m.get("EventRecordID"), r["id"])
            for r in results
            for m in r["matches"]
        }
    )
    return {
        "exit": proc.returncode,
        "wall_s": round(wall, 1),
        "processing_s": float(processing.group(1)) if processing else None,
        "events_per_s": int(throughput.group(1).replace(",", "")) if throughput else None,
        "matched_events": len(keys),
        "rules_matched": len({k[2] for k in keys}),
        "rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "keys": keys,
    }


def child(phase: str, args: argparse.Namespace, cache: Path, workdir: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--cache", str(cache),
           "--workdir", str(workdir), "--corpus", args.corpus,
           "--copies", str(args.copies), "--runs", str(args.runs)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("mitre", "regression"), default="mitre")
    parser.add_argument("--copies", type=int, default=1, help="repeat the corpus files N times")
    parser.add_argument("--runs", type=int, default=5, help="best of N detection runs")
    parser.add_argument("--zircolite", type=Path, help="Zircolite checkout (outside the repo)")
    parser.add_argument(
        "--zircolite-path", default="", help="PYTHONPATH for Zircolite's extra deps"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        files = corpus_files(args.corpus, args.copies, args.workdir)
        if args.phase in ("cold", "warm", "prewarm-sysmon"):
            result = phase_compile(args.cache, audit=args.phase != "prewarm-sysmon")
        else:
            result = phase_detect(args.cache, files, args.runs, audit=args.phase == "detect")
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="bench-sigma-") as tmp:
        workdir, cache = Path(tmp), Path(tmp) / "cache"
        report(args, workdir, cache)


def report(args: argparse.Namespace, workdir: Path, cache: Path) -> None:
    cold = child("cold", args, cache, workdir)
    warm = child("warm", args, cache, workdir)
    print(
        f"rules: {cold['rules']} loaded, {cold['skipped']} skipped, {cold['failed']} failed"
        f" ({cold['variants']} compiled variants)"
    )
    for name, r in (("cold", cold), ("warm", warm)):
        print(
            f"compile {name}: {r['total_s']} s (load {r['load_s']} s + codegen {r['codegen_s']} s),"
            f" peak RSS {r['rss_mb']} MB (parse workers {r['workers_rss_mb']} MB)"
        )
    child("prewarm-sysmon", args, cache, workdir)  # the Sysmon-only rule set has its own cache key
    both = child("detect", args, cache, workdir)
    sysmon = child("detect-sysmon", args, cache, workdir)
    for name, r in (
        ("sysmon + security 4688/4657 variants", both),
        ("sysmon variants only", sysmon),
    ):
        print(
            f"detect ({name}): {r['events']} events (parse {r['parse_s']} s),"
            f" best {r['detect_s']} s"
            f" = {r['events_per_s']} events/s; {r['matched_events']} matched events"
            f" / {r['rules_matched']} rules; interpreter fallbacks {r['fallbacks']};"
            f" peak RSS {r['rss_mb']} MB"
        )
    if args.zircolite:
        files = corpus_files(args.corpus, args.copies, workdir)
        z = run_zircolite(args.zircolite, args.zircolite_path, files, workdir)
        print(
            f"zircolite: exit {z['exit']}, wall {z['wall_s']} s, processing {z['processing_s']} s"
            f" = {z['events_per_s']} events/s; {z['matched_events']} matched events"
            f" / {z['rules_matched']} rules; peak RSS {z['rss_mb']} MB"
        )
        ours, theirs = {tuple(k) for k in sysmon["keys"]}, {tuple(k) for k in z["keys"]}
        print(
            f"match sets (sysmon only): common {len(ours & theirs)},"
            f" only Zircolite {len(theirs - ours)}, only ours {len(ours - theirs)}"
        )
        if z["events_per_s"]:
            ratio = sysmon["events_per_s"] / z["events_per_s"]
            print(f"speed-up over Zircolite: {ratio:.1f}x (same rules, same events)")


if __name__ == "__main__":
    main()
