"""``soc yara``: scan paths, check rule sets, watch folders (registered by scanners_cli)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from collectors.base import DeadLetter
from detections.yara.cache import LoadedRuleSet, load_rule_set
from detections.yara.rulesets import rule_roots
from detections.yara.scanner import FileScanner, ScanReport
from detections.yara.settings import YaraSettings, cache_dir, yara_settings
from detections.yara.watcher import FolderWatcher, PollRound
from soc.config import Settings
from soc.ecs import Event
from soc.errors import DetectionError, SocError

EXIT_CLEAN, EXIT_MATCHES = 0, 1  # like grep and clamscan: 1 means "found something"


def load_rules(args: argparse.Namespace, settings: Settings) -> tuple[YaraSettings, LoadedRuleSet]:
    section = yara_settings(settings)
    extra = [*section.rule_paths, *(args.rules or [])]
    include_project = section.include_project_rules and not args.no_project_rules
    roots = rule_roots(extra, include_project=include_project)
    if not roots:
        raise SocError("no YARA rules to load", hint="give --rules DIR or keep the project rules")
    loaded = load_rule_set(roots, section, cache_dir(settings))
    return section, loaded


def _summary_line(loaded: LoadedRuleSet) -> str:
    source = "cache" if loaded.from_cache else "compiled"
    return (
        f"yara: {loaded.rule_count} rules from {len(loaded.files)} files ({source}, "
        f"{loaded.seconds:.2f}s); {len(loaded.failures)} files failed"
    )


def _print_failures(loaded: LoadedRuleSet, limit: int) -> None:
    for failure in loaded.failures[:limit]:
        where = f"{failure.path}:{failure.line}" if failure.line else failure.path
        print(f"  failed: {where}: {failure.reason}", file=sys.stderr)
    if len(loaded.failures) > limit:
        print(f"  … and {len(loaded.failures) - limit} more", file=sys.stderr)


def _print_event(event: Event, fmt: str) -> None:
    if fmt == "jsonl":
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        return
    rule: dict[str, Any] = event.get("rule", {})
    file: dict[str, Any] = event["file"]
    what = f"{rule.get('ruleset', '')}:{rule.get('name', '')}" if rule else event["event"]["reason"]
    digest = file.get("hash", {}).get("sha256", "")[:12]
    print(f"{what:<50} {digest:<12} {file['path']}")


def _ingest(settings: Settings, events: Sequence[Event]) -> dict[str, int]:
    from soc.runtime import Platform

    platform = Platform.open(settings)
    try:
        pipeline = platform.pipeline()
        pipeline.source_type = "yara"
        pipeline.stats.add("yara", read=len(events))
        pipeline.emit(events)
        pipeline.flush()
        platform.save_counters(pipeline.stats)
        return pipeline.stats.total.as_dict()
    finally:
        platform.close()


def scan_command(args: argparse.Namespace, settings: Settings) -> int:
    missing = [str(p) for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise SocError(f"no such file or folder: {', '.join(missing)}", hint="check the path")
    section, loaded = load_rules(args, settings)
    print(_summary_line(loaded), file=sys.stderr)
    _print_failures(loaded, limit=10)
    scanner = FileScanner(loaded, section)
    report = ScanReport()
    collected: list[Event] = []
    for event in scanner.scan(args.paths, report, include_skipped=args.include_skipped):
        _print_event(event, args.format)
        if args.ingest:
            collected.append(event)
    print(f"scan: {json.dumps(report.as_dict())}", file=sys.stderr)
    if args.ingest:
        counts = _ingest(settings, collected)
        print(f"ingest: {json.dumps(counts)}", file=sys.stderr)
    return EXIT_MATCHES if report.matches else EXIT_CLEAN


def rules_command(args: argparse.Namespace, settings: Settings) -> int:
    _, loaded = load_rules(args, settings)
    summary = {**loaded.summary(), "failures": [f.as_dict() for f in loaded.failures]}
    if args.format == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(_summary_line(loaded))
        for name, count in sorted(loaded.files_by_ruleset().items()):
            print(f"  {name}: {count} files")
        _print_failures(loaded, limit=args.show_failures)
    if loaded.rules is None:
        raise DetectionError("no YARA rule compiled", hint="see the failures above")
    return 0


class _PipelineSink:
    """Hands watcher events to the platform pipeline and commits after every round."""

    def __init__(self, settings: Settings) -> None:
        from soc.runtime import Platform

        self.platform = Platform.open(settings)
        self.pipeline = self.platform.pipeline()
        self.pipeline.source_type = "yara"

    def emit(self, events: Iterable[Event]) -> None:
        self.pipeline.emit(events)

    def reject(self, letter: DeadLetter) -> None:
        self.pipeline.reject(letter)

    def close(self) -> None:
        self.platform.save_counters(self.pipeline.stats)
        self.platform.close()


def watch_command(args: argparse.Namespace, settings: Settings) -> int:
    section, loaded = load_rules(args, settings)
    folders = list(args.folders or section.watch.folders)
    if not folders:
        raise SocError("no folder to watch", hint="give FOLDER... or set [yara.watch] folders")
    print(_summary_line(loaded), file=sys.stderr)
    sink = _PipelineSink(settings)
    watcher = FolderWatcher(
        FileScanner(loaded, section),
        folders,
        sink,
        settle_seconds=section.watch.settle_seconds,
        report_skipped=section.watch.report_skipped,
        state_path=settings.home / "yara" / "watch-state.json",
    )

    def after_round(result: PollRound) -> None:
        sink.pipeline.flush()
        if result.scanned or result.pending:
            print(
                f"watch: scanned {result.scanned}, alerts {result.alerts}, "
                f"skipped {result.skipped}, waiting {result.pending}",
                file=sys.stderr,
            )

    stop = threading.Event()
    try:
        if args.once:
            after_round(watcher.poll_once())
        else:
            watcher.run(stop, args.interval or section.watch.interval_seconds, after_round)
    finally:
        stop.set()
        sink.close()
    return 0


def _add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rules",
        type=Path,
        action="append",
        metavar="PATH",
        help="extra rule folder or file (repeatable; added to [yara] rule_paths)",
    )
    p.add_argument(
        "--no-project-rules", action="store_true", help="leave out detections/rules/yara"
    )


def register_yara(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    yara_cmd = sub.add_parser("yara", help="scan files with YARA rules")
    ysub = yara_cmd.add_subparsers(dest="yara_command", metavar="ACTION", required=True)

    p = ysub.add_parser("scan", help="scan files and folders; exit 1 when something matched")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _add_rule_options(p)
    p.add_argument("--format", choices=("jsonl", "table"), default="table")
    p.add_argument("--include-skipped", action="store_true", help="print skipped-file events")
    p.add_argument("--ingest", action="store_true", help="also store the events (alerts)")
    p.set_defaults(handler=scan_command)

    p = ysub.add_parser("rules", help="load the rule sets; counts of loaded and failed files")
    _add_rule_options(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--show-failures", type=int, default=20, metavar="N")
    p.set_defaults(handler=rules_command)

    p = ysub.add_parser("watch", help="poll folders and scan new or changed files into the store")
    p.add_argument("folders", nargs="*", type=Path, metavar="FOLDER")
    _add_rule_options(p)
    p.add_argument("--interval", type=float, help="seconds between rounds")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.set_defaults(handler=watch_command)
