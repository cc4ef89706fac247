"""``soc detect``: Sigma rules over input files (parsed by the collectors) or the event store."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from detections.hunt import MatchPrinter, hunt_files, run_correlations, stored_events
from detections.runtime import load_sigma, sigma_cache_dir, sigma_rule_paths
from detections.sigma.correlations import scheduled_correlations
from detections.sigma.engine import SigmaEngine
from soc.config import Settings
from soc.errors import SocError

SUFFIX_TYPES = {".evtx": "evtx"}


def _source_type(args: argparse.Namespace, settings: Settings) -> object:
    from collectors.registry import build_source_types

    types = build_source_types(settings.ingest)
    name = args.source_type or SUFFIX_TYPES.get(args.input[0].suffix.lower())
    if name is None:
        raise SocError(
            "--source-type is needed for these files", hint=f"one of {', '.join(sorted(types))}"
        )
    if name not in types:
        raise SocError(f"unknown source type {name!r}", hint=f"one of {', '.join(sorted(types))}")
    return types[name]


def detect(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    paths = sigma_rule_paths(settings, args.rules) if not args.rules_only else list(args.rules)
    ruleset = load_sigma(settings, paths, audit=not args.sysmon_only)
    for issue in ruleset.report.failed:
        print(f"soc: rule not loaded: {issue.path}: {issue.reason}", file=sys.stderr)
    engine = SigmaEngine(ruleset.rules, code_cache=sigma_cache_dir(settings))
    correlations, problems = scheduled_correlations(ruleset)
    for issue in problems:
        print(f"soc: correlation not loaded: {issue.path}: {issue.reason}", file=sys.stderr)
    printer = MatchPrinter(args.format, full=args.full_event)
    events = 0
    if args.input:
        missing = [str(p) for p in args.input if not p.is_file()]
        if missing:
            raise SocError(f"no such file: {', '.join(missing)}")
        store = hunt_files(args.input, _source_type(args, settings), engine, correlations, printer)
        rejected = store.rejected
        events = len(store.seen) if store.sqlite is None else -1
    else:
        rejected = 0
        if settings.store.backend != "sqlite":
            raise SocError(
                "soc detect over the store needs the embedded SQLite store",
                hint="for Elasticsearch use soc sigma convert --target esql|eql|lucene",
            )
        if not settings.events_path.is_file():
            raise SocError(
                "the event store is empty", source=settings.events_path, hint="soc ingest first"
            )
        for batch in stored_events(settings.events_path, args.dataset):
            events += len(batch)
            for match in engine.match(batch):
                printer(match)
        run_correlations(settings.events_path, correlations, printer)
    _summary(ruleset.report.summary(), printer, events, rejected, time.perf_counter() - started)
    return 0


def _summary(rules: str, printer: MatchPrinter, events: int, rejected: int, seconds: float) -> None:
    seen = f"{events} events, " if events >= 0 else ""
    print(
        f"soc detect: {printer.count} matches of {len(printer.by_rule)} rules; {seen}"
        f"{rejected} records rejected; rules {rules}; {seconds:.1f} s",
        file=sys.stderr,
    )


def register_detect(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("detect", help="run Sigma rules over files or the event store (hunting)")
    p.add_argument(
        "--rules",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="rule files or folders (added to the configured ones)",
    )
    p.add_argument(
        "--rules-only",
        action="store_true",
        help="use only --rules, not the project's and configured rules",
    )
    p.add_argument(
        "--input",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="files to parse and scan (default: the event store)",
    )
    p.add_argument(
        "--source-type", help="collector source type of the input (evtx is inferred from .evtx)"
    )
    p.add_argument("--dataset", help="only events of this dataset (event store mode)")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument("--full-event", action="store_true", help="print the whole matched event")
    p.add_argument(
        "--sysmon-only",
        action="store_true",
        help="process_creation/registry rules on Sysmon only, not also on Security 4688/4657",
    )
    p.set_defaults(handler=detect)
