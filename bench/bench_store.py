"""The embedded store's write cost as it fills: time-ordered event ids against random ones.

Usage: ``python bench/bench_store.py [--events 600000] [--segment 100000] [--batch 2000]``

Writes the same generated events (2 kB documents shaped like enriched Suricata alerts, times
rising 1 ms an event) through ``SqliteEventStore.write`` in pipeline-sized batches, once with the
ids the collectors give (``soc.ecs.time_ordered_id``: the time first) and once with the plain
128-bit hash ids earlier releases gave. Each run is its own process pinned to one CPU; for every
segment of events it prints the CPU (user + system) and wall microseconds per event, so the growth
of the cost with the size of the store shows. The load average is printed (shared machine).
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from shutil import which
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 3, 1, 1, tzinfo=UTC)


def generated_event(n: int, time_ordered: bool) -> dict[str, Any]:
    from soc.ecs import event_id, format_timestamp, time_ordered_id

    stamp = format_timestamp(START + timedelta(milliseconds=n))
    digest = event_id("suricata-eve\x00/var/log/suricata/eve.json", b"%d" % n, n * 700)
    original = json.dumps({"timestamp": stamp, "event_type": "alert", "n": n, "pad": "x" * 640})
    return {
        "@timestamp": stamp,
        "event": {
            "id": time_ordered_id(digest, stamp) if time_ordered else digest,
            "kind": "alert",
            "dataset": "suricata.eve",
            "module": "suricata",
            "original": original,
            "severity": 2,
        },
        "source": {"ip": f"10.{n % 200}.{n % 250}.{n % 240}", "port": 40000 + n % 20000},
        "destination": {"ip": "203.0.113.10", "port": 443, "geo": {"country_iso_code": "VN"}},
        "rule": {"id": str(2_000_000 + n % 900), "name": f"ET POLICY sample rule {n % 900}"},
        "soc": {"system_id": f"sys-{n % 40}", "security_level": 3, "zone": "datacenter"},
        "url": {"original": f"/portal/api/v1/records/{n}?page=1", "domain": "dichvucong.example"},
        "message": f"ET POLICY sample rule {n % 900}",
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(events: int, segment: int, batch: int, time_ordered: bool) -> list[dict[str, float]]:
    """In a child process: fill a fresh store, one figure per segment."""
    from soc.stores.sqlite import SqliteEventStore

    figures = []
    with tempfile.TemporaryDirectory() as work:
        store = SqliteEventStore(Path(work) / "events.db")
        for first in range(0, events, segment):
            docs = [generated_event(n, time_ordered) for n in range(first, first + segment)]
            cpu, wall = cpu_seconds(), time.perf_counter()
            for start in range(0, len(docs), batch):
                store.write(docs[start : start + batch])
            figures.append(
                {
                    "held": first + segment,
                    "cpu_us": (cpu_seconds() - cpu) / segment * 1e6,
                    "wall_us": (time.perf_counter() - wall) / segment * 1e6,
                }
            )
        store.close()
    return figures


def child(args: list[str]) -> list[dict[str, float]]:
    code = (
        "import json,sys; sys.path.insert(0, sys.argv[1]); from bench.bench_store import run;"
        "a=sys.argv[2:]; print(json.dumps(run(int(a[0]), int(a[1]), int(a[2]), a[3] == 'ordered')))"
    )
    command = [sys.executable, "-c", code, str(ROOT), *args]
    if which("taskset"):
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result: list[dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=600_000)
    parser.add_argument("--segment", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    common = [str(args.events), str(args.segment), str(args.batch)]
    ordered = child([*common, "ordered"])
    hashed = child([*common, "hashed"])
    print("events held | time-ordered ids: CPU / wall µs per event | hash ids: CPU / wall")
    for o, h in zip(ordered, hashed, strict=True):
        print(
            f"{int(o['held']):>11,} | {o['cpu_us']:6.1f} / {o['wall_us']:6.1f}"
            f" | {h['cpu_us']:6.1f} / {h['wall_us']:6.1f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
