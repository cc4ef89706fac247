"""Ingest throughput on one core into the embedded SQLite store, next to a read+decode baseline.

Usage: ``python bench/bench_ingest.py [--lines N]``. Inputs are built in a temporary directory
from the public corpora in ../shared/datasets (eve.json, syslog, Apache access logs). Each case
runs in its own process so the peak RSS is that case's. Prints one row per case.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


def build_inputs(directory: Path, lines: int) -> dict[str, Path]:
    eve_lines: list[dict[str, object]] = []
    for path in sorted((DATASETS / "suricata-eve-alerts-dev").glob("*/eve-alerts.ndjson")):
        eve_lines.extend(json.loads(x) for x in path.read_text().splitlines() if x.strip())
    cases = json.loads((DATASETS / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    syslog_lines = [
        log["line"] for name in ("sshd", "sudo", "su", "pam", "syslog", "cisco_asa", "fortigate")
        for case in cases[name] for log in case["logs"]
    ]  # fmt: skip
    apache = DATASETS / "weblogs-authlogs-dev" / "elastic-examples" / "apache_logs"
    apache_lines = apache.read_text().splitlines()
    out = {
        "suricata-eve": directory / "eve.json",
        "syslog": directory / "syslog.log",
        "web-access": directory / "access.log",
    }
    with out["suricata-eve"].open("w") as f:
        for i in range(lines):
            doc = dict(eve_lines[i % len(eve_lines)])
            doc["flow_id"] = i
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    with out["syslog"].open("w") as f:
        for i in range(lines):
            f.write(f"{syslog_lines[i % len(syslog_lines)]} #{i}\n")
    with out["web-access"].open("w") as f:
        for i in range(lines):
            f.write(f"{apache_lines[i % len(apache_lines)]} {i}\n")
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(kind: str, path: Path, mode: str, work: Path) -> dict[str, float]:
    """Runs in a child process: ``mode`` is ``baseline`` or ``ingest``."""
    started = time.perf_counter()
    if mode == "baseline":
        import orjson

        count = 0
        with path.open("rb") as f:
            for line in f:
                if kind == "suricata-eve":
                    orjson.loads(line)
                else:
                    line.decode("utf-8")
                count += 1
    elif mode == "parse":
        from collectors.dispatch import parse_record
        from collectors.registry import build_source_types
        from soc.config import IngestSettings

        chosen = build_source_types(IngestSettings())[kind]
        count = 0
        with path.open("rb") as f:
            for item in chosen.reader.read(f, str(path)):
                outcome = parse_record(chosen.parsers, item, kind, 1024)  # type: ignore[arg-type]
                count += isinstance(outcome, list)
    else:
        from collectors.ingest import ingest_files
        from collectors.registry import build_source_types
        from soc.config import IngestSettings
        from soc.pipeline import Pipeline
        from soc.stores.sqlite import SqliteEventStore

        store = SqliteEventStore(work / f"{kind}.db")
        pipeline = Pipeline(store, batch_size=2000)
        ingest_files([path], build_source_types(IngestSettings())[kind], pipeline)
        count = pipeline.stats.total.ingested
        store.close()
    seconds = time.perf_counter() - started
    return {"events": count, "seconds": seconds, "rss_mb": peak_rss_mb()}


def child(kind: str, path: Path, mode: str, work: Path) -> dict[str, float]:
    code = (
        "import json,sys; from pathlib import Path; sys.path.insert(0, sys.argv[5]);"
        "from bench.bench_ingest import run_case;"
        "r = run_case(sys.argv[1], Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]));"
        "print(json.dumps(r))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # One core: pin the child to CPU 0 when the platform allows it.
    command = [sys.executable, "-c", code, kind, str(path), mode, str(work), str(ROOT)]
    if hasattr(os, "sched_setaffinity"):
        command = ["taskset", "-c", "0", *command] if _has_taskset() else command
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=200_000, help="records per input")
    args = parser.parse_args()
    if not DATASETS.is_dir():
        print("../shared/datasets is not present", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = build_inputs(work, args.lines)
        header = f"{'input':<14}{'events':>9}{'baseline ev/s':>15}{'parse ev/s':>12}"
        print(header + f"{'ingest ev/s':>13}{'ratio':>8}{'peak RSS MB':>13}")
        for kind, path in inputs.items():
            base = child(kind, path, "baseline", work)
            parsed = child(kind, path, "parse", work)
            run = child(kind, path, "ingest", work)
            base_rate = base["events"] / base["seconds"]
            parse_rate = parsed["events"] / parsed["seconds"]
            rate = run["events"] / run["seconds"]
            print(
                f"{kind:<14}{int(run['events']):>9}{base_rate:>15,.0f}{parse_rate:>12,.0f}"
                f"{rate:>13,.0f}{base_rate / rate:>8.1f}{run['rss_mb']:>13.0f}"
            )
        print(
            f"(ratio = baseline / ingest; load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
