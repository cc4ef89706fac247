"""Streaming detection latency: from an event handed to the pipeline to its alert row committed
in the state database, through the real pipeline, SQLite event store, Sigma engine (project
rules) and alert writer. Events arrive at a steady rate; the batcher flushes every
``--flush-ms`` or every ``--batch`` events, as the collectors' batcher does.

Usage: ``.venv/bin/python bench/bench_detect_latency.py [--rate 2000] [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detections.alert_store import AlertWriter  # noqa: E402
from detections.sigma.engine import SigmaEngine  # noqa: E402
from detections.sigma.loader import PROJECT_RULES, load_rules  # noqa: E402
from detections.streaming import StreamingDetector  # noqa: E402
from soc.ecs import format_timestamp, utc_now  # noqa: E402
from soc.pipeline import Pipeline  # noqa: E402
from soc.state.db import open_state  # noqa: E402
from soc.stores.sqlite import SqliteEventStore  # noqa: E402


def event(n: int) -> dict[str, Any]:
    """Mostly ordinary web traffic; every 20th request is a path traversal (an alert)."""
    attack = n % 20 == 0
    path = "/tai-ve?file=../../etc/passwd" if attack else f"/thu-tuc/chi-tiet?id={n}"
    return {
        "@timestamp": format_timestamp(utc_now()),
        "event": {"id": f"lat-{n}", "dataset": "nginx.access", "kind": "event"},
        "source": {"ip": f"203.0.113.{n % 250}"},
        "url": {"original": path},
        "http": {"response": {"status_code": 200}},
        "user_agent": {"original": "Mozilla/5.0"},
    }


class Timed(StreamingDetector):
    """Records, for each alerting event, when its alert was committed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.done: dict[str, float] = {}

    def committed(self, events: Any) -> None:
        drafts = self.drafts(events)
        self.writer.write(drafts)
        now = time.perf_counter()
        for draft in drafts:
            for event_id in draft.event_ids:
                self.done[event_id] = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=2000, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--flush-ms", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = open_state(f"sqlite:///{Path(tmp) / 'state.db'}")
        engine = SigmaEngine(load_rules([PROJECT_RULES], cache_dir=Path(tmp) / "cache").rules)
        detector = Timed([engine], AlertWriter(state, window_seconds=3600))
        store = SqliteEventStore(Path(tmp) / "events.db")
        pipeline = Pipeline(store, batch_size=args.batch, observers=[detector])
        sent: dict[str, float] = {}
        started = last_flush = time.perf_counter()
        total = int(args.rate * args.seconds)
        for n in range(total):
            due = started + n / args.rate
            while time.perf_counter() < due:
                time.sleep(min(0.001, due - time.perf_counter()))
            ev = event(n)
            sent[ev["event"]["id"]] = time.perf_counter()
            pipeline.emit([ev])
            if time.perf_counter() - last_flush >= args.flush_ms / 1000:
                pipeline.flush()
                last_flush = time.perf_counter()
        pipeline.flush()
        store.close()
        latencies = sorted(detector.done[i] - sent[i] for i in detector.done if i in sent)
        elapsed = time.perf_counter() - started
        median = statistics.median(latencies) * 1000
        p95 = latencies[int(len(latencies) * 0.95)] * 1000
        print(
            f"{total} events at {args.rate}/s (flush every {args.flush_ms} ms or {args.batch}"
            f" events): {len(latencies)} alerting events; latency median {median:.0f} ms,"
            f" p95 {p95:.0f} ms, max {latencies[-1] * 1000:.0f} ms; wall {elapsed:.1f} s"
        )


if __name__ == "__main__":
    main()
