"""Memory on a large input: ``soc ingest`` of a 1 GB eve.json into the embedded store.

Usage: ``python bench/bench_memory.py [--gigabytes 1.0] [--source-type suricata-eve]``

Builds the input in a temporary directory from the public eve corpus (../shared/datasets;
timestamps increase and flow ids are unique, as in a real eve.json), runs the real CLI in a child
process pinned to one CPU and samples its resident memory twice a second. Prints the RSS through
the run (it must stay flat: bounded queues, batches released after commit), the peak, the events
stored and the throughput. No assertion: the figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from shutil import which

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
START = datetime(2026, 11, 20, tzinfo=UTC)


def build_eve(path: Path, target_bytes: int) -> int:
    corpus = [
        json.loads(line)
        for source in sorted((DATASETS / "suricata-eve-alerts-dev").glob("*/eve-alerts.ndjson"))
        for line in source.read_text().splitlines()
        if line.strip()
    ]
    written = lines = 0
    with path.open("w") as f:
        while written < target_bytes:
            doc = dict(corpus[lines % len(corpus)])
            doc["flow_id"] = lines
            moment = START + timedelta(microseconds=lines * 500)
            doc["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
            text = json.dumps(doc, separators=(",", ":")) + "\n"
            f.write(text)
            written += len(text)
            lines += 1
    return lines


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(
    path: Path, source_type: str, home: Path
) -> tuple[list[tuple[float, float]], dict[str, int], float]:
    command = [sys.executable, "-m", "soc.cli.main", "ingest", "--source-type", source_type,
               "--json", str(path)]  # fmt: skip
    if which("taskset"):
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "SOC_HOME": str(home), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    while child.poll() is None:
        value = rss_mb(child.pid)
        if value is not None:
            samples.append((time.perf_counter() - started, value))
        time.sleep(0.5)
    out, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"soc ingest failed with {child.returncode}")
    return samples, json.loads(out.strip().splitlines()[-1]), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    if not DATASETS.is_dir():
        print("../shared/datasets is not present", file=sys.stderr)
        return 2
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "eve.json"
        lines = build_eve(path, int(args.gigabytes * 1024**3))
        size = path.stat().st_size / 1024**2
        print(f"input: {size:,.0f} MB, {lines:,} eve records")
        samples, counts, seconds = run(path, "suricata-eve", work / "home")
    print(f"counts: {counts}; {seconds:,.0f} s wall, {counts['ingested'] / seconds:,.0f} events/s")
    print("| elapsed | RSS MB |\n|---:|---:|")
    for fraction in (0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0):
        at, value = samples[min(len(samples) - 1, int(fraction * (len(samples) - 1)))]
        print(f"| {at:,.0f} s ({fraction:.0%}) | {value:,.0f} |")
    print(f"peak RSS: {max(v for _, v in samples):,.0f} MB over {len(samples)} samples")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
