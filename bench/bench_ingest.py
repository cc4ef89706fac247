"""Ingest throughput on one core into the embedded SQLite store, next to a read+decode baseline.

Usage: ``python bench/bench_ingest.py [--lines N] [--repeat R] [--network-count N] [--no-network]``

Inputs are built in a temporary directory from the public corpora in ../shared/datasets
(eve.json, syslog, Apache access logs), cycling through each corpus. Real files are in time
order, so every record's own time is rewritten to rise by 1 ms per record from 2026-03-01
08:00:00 +07:00 (the eve ``timestamp`` and ``flow.start``, keeping its distance from the
timestamp; the syslog header time in the forms it comes in; the access-log ``[time]``). Lines
carrying no time (bare ``%ASA-`` messages) keep none. Before this, the inputs repeated the
corpora's own few hundred instants in a loop. For each input, one run measures:

* ``baseline``: read the file and JSON-decode each line (eve) or split and UTF-8-decode it;
* ``parse``: reader + parsers (RawRecord → ECS event), nothing kept;
* ``enrich``: parse + inventory, internal/geo and threat-intel enrichment;
* ``store``: the whole ``soc ingest`` path (enrichment, pipeline, SQLite commit);
* ``floor``: the least any ingest into this store costs — each line read, decoded (eve: its
  JSON object; syslog and access logs: the text as ``message``), hashed for its id and stored
  whole with ``event.original`` through ``SqliteEventStore.write`` in 2,000-event batches: no
  parsing, no ECS mapping, no enrichment, no pipeline. A target above this figure is out of reach
  of any parser on this machine and store.

Each measurement runs in its own process pinned to one CPU (so peak RSS is that case's), R
times; the best run counts. Events/s are given by wall clock and by the process's CPU time
(user + system): on a shared machine the CPU figure is the fairer "one core" number. Syslog
over UDP and TCP on loopback follows (bench/bench_ingest_network.py). The load average is
printed before and after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from shutil import which
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
MODES = ("baseline", "parse", "enrich", "store", "floor")
INDICATORS_PER_KIND = 10_000  # a realistic feed: lookups must stay O(1)
START = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=7)))  # record i is START + i ms


def build_inputs(directory: Path, lines: int) -> dict[str, Path]:
    eve_lines: list[dict[str, Any]] = []
    for path in sorted((DATASETS / "suricata-eve-alerts-dev").glob("*/eve-alerts.ndjson")):
        eve_lines.extend(json.loads(x) for x in path.read_text().splitlines() if x.strip())
    apache = DATASETS / "weblogs-authlogs-dev" / "elastic-examples" / "apache_logs"
    apache_lines = apache.read_text().splitlines()
    out = {
        "suricata-eve": directory / "eve.json",
        "syslog": directory / "syslog.log",
        "web-access": directory / "access.log",
    }
    with out["suricata-eve"].open("w") as f:
        for i in range(lines):
            doc = eve_at(eve_lines[i % len(eve_lines)], moment(i))
            doc["flow_id"] = i
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    corpus = syslog_corpus()
    with out["syslog"].open("w") as f:
        for i in range(lines):
            f.write(f"{syslog_at(corpus[i % len(corpus)], moment(i))} #{i}\n")
    with out["web-access"].open("w") as f:
        for i in range(lines):
            line = _CLF.sub(
                f"[{moment(i):%d/%b/%Y:%H:%M:%S %z}]", apache_lines[i % len(apache_lines)]
            )
            f.write(f"{line} {i}\n")
    return out


def moment(i: int) -> datetime:
    """The time of the i-th record: one record per millisecond, in order."""
    return START + timedelta(milliseconds=i)


def eve_at(doc: dict[str, Any], at: datetime) -> dict[str, Any]:
    """``doc`` as if logged ``at``; a flow start keeps its distance before the timestamp."""
    doc = dict(doc)
    flow = doc.get("flow")
    if isinstance(flow, dict) and isinstance(flow.get("start"), str):
        lasted = datetime.fromisoformat(doc["timestamp"]) - datetime.fromisoformat(flow["start"])
        doc["flow"] = {**flow, "start": f"{at - lasted:%Y-%m-%dT%H:%M:%S.%f%z}"}
    doc["timestamp"] = f"{at:%Y-%m-%dT%H:%M:%S.%f%z}"
    return doc


_CLF = re.compile(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]")
_SYSLOG_TIMES = (  # the leading stamps of the corpus lines, each with how to write ``at`` in it
    (re.compile(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?= )"), "{at:%b} {at.day:2d} {at:%H:%M:%S}"),
    (re.compile(r"\d{4} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d(?= )"), "{at:%Y %b %d %H:%M:%S}"),
    (re.compile(r"[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d(?=: )"), "{at:%b %d %Y %H:%M:%S}"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}[+-]\d{4}(?= )"),
     "{at:%Y-%m-%d %H:%M:%S.%f%z}"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d(?= )"), "{iso}"),
    (re.compile(r"date=\d{4}-\d\d-\d\d time=\d\d:\d\d:\d\d(?= )"),
     "date={at:%Y-%m-%d} time={at:%H:%M:%S}"),
)  # fmt: skip


def syslog_at(line: str, at: datetime) -> str:
    """``line`` with its leading time (in whichever of the corpus's forms) replaced by ``at``."""
    for pattern, form in _SYSLOG_TIMES:
        if m := pattern.match(line):
            stamp = form.format(at=at, iso=at.isoformat(timespec="microseconds"))
            return stamp + line[m.end() :]
    return line


def syslog_corpus() -> list[str]:
    """sshd, sudo, su, PAM, generic syslog, Cisco ASA and FortiGate lines of the Wazuh tests."""
    cases = json.loads((DATASETS / "syslog-wazuh-tests-dev" / "cases.json").read_text())
    return [
        log["line"] for name in ("sshd", "sudo", "su", "pam", "syslog", "cisco_asa", "fortigate")
        for case in cases[name] for log in case["logs"]
    ]  # fmt: skip


def bench_enrichers() -> list[Any]:
    """The Đà Nẵng inventory, the default internal ranges and a 40,000-indicator feed."""
    from enrichment.assets import AssetEnricher, agency_from, asset_from
    from enrichment.geo import GeoEnricher
    from enrichment.threat_intel import Indicator, IndicatorIndex
    from soc.inventory import load_inventory

    inventory = load_inventory(ROOT / "soc" / "data" / "danang" / "inventory.yaml")
    assets = AssetEnricher(
        [asset_from(s.model_dump()) for s in inventory.systems],
        [agency_from(a.model_dump()) for a in inventory.agencies],
    )
    intel = IndicatorIndex()
    for i in range(INDICATORS_PER_KIND):
        a, b = divmod(i, 256)
        intel.add(Indicator("ipv4-addr", f"198.51.{a % 256}.{b}", "bench"))
        intel.add(Indicator("domain-name", f"bad{i}.example", "bench"))
        intel.add(Indicator("url", f"/bad/{i}", "bench"))
        intel.add(Indicator("file", f"{i:032x}", "bench"))
    return [assets, GeoEnricher(), intel]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_case(kind: str, path: Path, mode: str, work: Path) -> dict[str, float]:
    """Runs in a child process; returns events, wall and CPU seconds, peak RSS."""
    enrichers = bench_enrichers() if mode in ("enrich", "store") else []
    started, cpu = time.perf_counter(), cpu_seconds()
    if mode == "baseline":
        count = _baseline(kind, path)
    elif mode == "store":
        count = _store(kind, path, work, enrichers)
    elif mode == "floor":
        count = _floor(kind, path, work)
    else:
        count = _parse(kind, path, enrichers)
    return {
        "events": count,
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "rss_mb": peak_rss_mb(),
    }


def _baseline(kind: str, path: Path) -> int:
    import orjson

    count = 0
    with path.open("rb") as f:
        for line in f:
            if kind == "suricata-eve":
                orjson.loads(line)
            else:
                line.rstrip(b"\n").decode("utf-8")
            count += 1
    return count


def _parse(kind: str, path: Path, enrichers: list[Any]) -> int:
    from collectors.allocation import bulk_allocation
    from collectors.dispatch import parse_record
    from collectors.registry import build_source_types
    from soc.config import IngestSettings

    chosen = build_source_types(IngestSettings())[kind]
    count = 0
    batch: list[Any] = []  # held like the pipeline holds a batch, so memory behaves the same
    with bulk_allocation(), path.open("rb") as f:
        for item in chosen.reader.read(f, str(path)):
            outcome = parse_record(chosen.parsers, item, kind, 1024)  # type: ignore[arg-type]
            if isinstance(outcome, list):
                for event in outcome:
                    for enrich in enrichers:
                        enrich(event)
                batch.extend(outcome)
                if len(batch) >= 2000:
                    count += len(batch)
                    batch = []
    return count + len(batch)


def _store(kind: str, path: Path, work: Path, enrichers: list[Any]) -> int:
    from collectors.ingest import ingest_files
    from collectors.registry import build_source_types
    from soc.config import IngestSettings
    from soc.pipeline import Pipeline
    from soc.stores.sqlite import SqliteEventStore

    database = work / f"{kind}-{os.getpid()}.db"
    store = SqliteEventStore(database)
    pipeline = Pipeline(store, batch_size=2000, enrichers=enrichers)
    ingest_files([path], build_source_types(IngestSettings())[kind], pipeline)
    store.close()
    for leftover in work.glob(f"{database.name}*"):
        leftover.unlink()
    return pipeline.stats.total.ingested


def _floor(kind: str, path: Path, work: Path) -> int:
    import hashlib

    import orjson

    from soc.ecs import format_timestamp, time_ordered_id
    from soc.stores.sqlite import SqliteEventStore

    database = work / f"floor-{kind}-{os.getpid()}.db"
    store = SqliteEventStore(database)
    count, batch = 0, []
    with path.open("rb") as f:
        for line in f:
            text = line.rstrip(b"\n").decode("utf-8")
            eve = kind == "suricata-eve"
            doc: dict[str, Any] = orjson.loads(line) if eve else {"message": text}
            stamp = format_timestamp(moment(count))
            digest = hashlib.blake2b(line, digest_size=16).hexdigest()
            doc["@timestamp"] = stamp
            doc["event"] = {"id": time_ordered_id(digest, stamp), "original": text}
            batch.append(doc)
            count += 1
            if len(batch) == 2000:
                store.write(batch)
                batch = []
    store.write(batch)
    store.close()
    for leftover in work.glob(f"{database.name}*"):
        leftover.unlink()
    return count


def child(args: list[str], cpu: int | None = 0) -> dict[str, Any]:
    """Run ``bench.<module>.<function>`` in a fresh interpreter, pinned to ``cpu``."""
    code = (
        "import json,sys; sys.path.insert(0, sys.argv[1]);"
        "from bench.bench_ingest import child_main; print(json.dumps(child_main(sys.argv[2:])))"
    )
    command = [sys.executable, "-c", code, str(ROOT), *args]
    if cpu is not None and which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def child_main(argv: list[str]) -> dict[str, Any]:
    if argv[0] == "file":
        return run_case(argv[1], Path(argv[2]), argv[3], Path(argv[4]))
    from bench.bench_ingest_network import network_child

    return network_child(argv)


def best_of(repeat: int, args: list[str]) -> dict[str, Any]:
    """The fastest of ``repeat`` runs (by CPU time), with the highest peak RSS seen."""
    runs = [child(args) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["cpu"])
    return {**best, "rss_mb": max(r["rss_mb"] for r in runs)}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def file_table(inputs: dict[str, Path], work: Path, repeat: int) -> list[str]:
    rows = [
        "| input | events | mode | ev/s (wall) | ev/s (CPU) | × baseline time | peak RSS MB |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for kind, path in inputs.items():
        base_rate = 0.0
        for mode in MODES:
            figures = best_of(repeat, ["file", kind, str(path), mode, str(work)])
            wall = figures["events"] / figures["seconds"]
            cpu = figures["events"] / max(figures["cpu"], 1e-9)
            base_rate = base_rate or cpu
            rows.append(
                f"| {kind} | {int(figures['events']):,} | {mode} | {wall:,.0f} | {cpu:,.0f} "
                f"| {base_rate / cpu:.1f} | {figures['rss_mb']:.0f} |"
            )
            print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=200_000, help="records per input file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--network-count", type=int, default=100_000, help="syslog messages")
    parser.add_argument("--no-network", action="store_true", help="skip UDP/TCP syslog")
    args = parser.parse_args()
    if not DATASETS.is_dir():
        print("../shared/datasets is not present", file=sys.stderr)
        return 2
    print(
        f"load average before: {load()} on {os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = build_inputs(work, args.lines)
        print("× baseline time = CPU time per event relative to the baseline of the same input")
        file_table(inputs, work, args.repeat)
        if not args.no_network:
            sys.path.insert(0, str(ROOT))
            from bench.bench_ingest_network import network_table

            network_table(work, args.network_count, args.repeat)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
