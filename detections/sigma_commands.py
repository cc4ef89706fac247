"""``soc sigma``: list what loads, convert to query languages, export to Elastic Security and
ATT&CK Navigator, run the scheduled (correlation) rules on the embedded store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from detections.runtime import load_sigma, sigma_rule_paths
from detections.sigma.attack import navigator_layer
from detections.sigma.targets import TARGETS, convert, read_collection
from soc.config import Settings
from soc.errors import SocError


def _paths(args: argparse.Namespace, settings: Settings) -> list[Path]:
    if getattr(args, "rules_only", False):
        return list(args.rules)
    return sigma_rule_paths(settings, getattr(args, "rules", []) or [])


def _rule_files(items: list[Path]) -> list[Path]:
    from detections.sigma.loader import rule_files

    missing = [str(p) for p in items if not p.exists()]
    if missing:
        raise SocError(f"no such rule file: {', '.join(missing)}")
    return list(rule_files(items))


def sigma_list(args: argparse.Namespace, settings: Settings) -> int:
    ruleset = load_sigma(settings, _paths(args, settings))
    report = ruleset.report
    if args.format == "json":
        issues = [
            {"path": i.path, "kind": i.kind, "rule_id": i.rule_id, "reason": i.reason}
            for i in report.issues
        ]
        rules = sorted(
            {(r.info.id, r.info.title, r.info.level, r.info.source) for r in ruleset.rules}
        )
        body = {
            "loaded": report.loaded,
            "scheduled": len(report.scheduled),
            "skipped": len(report.skipped),
            "failed": len(report.failed),
            "files": report.files,
            "rules": [{"id": i, "title": t, "level": lv, "source": s} for i, t, lv, s in rules],
            "issues": issues,
        }
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    print(report.summary())
    for issue in report.issues:
        if issue.kind == "failed" or args.all:
            print(f"{issue.kind:<8} {issue.path}: {issue.reason}")
    hidden = len(report.issues) - len(report.failed)
    if not args.all and hidden:
        print(f"({hidden} scheduled or skipped rules not shown; --all lists them)")
    return 0


def sigma_convert(args: argparse.Namespace, settings: Settings) -> int:
    collection = read_collection(_rule_files(args.rule))
    failed = 0
    for result in convert(collection, args.target, index=args.index):
        if result.error:
            failed += 1
            print(f"soc: {result.title} ({result.rule_id}): {result.error}", file=sys.stderr)
        for query in result.queries:
            print(
                f"-- {result.title} ({result.rule_id})"
                if args.target == "sqlite"
                else f"// {result.title} ({result.rule_id})"
            )
            print(query)
    return 1 if failed and failed == len(collection.rules) else 0


def sigma_export_elastic(args: argparse.Namespace, settings: Settings) -> int:
    from detections.sigma.elastic import export_elastic

    export = export_elastic(_rule_files(args.rule), index=args.index)
    for rule in export.rules:
        sys.stdout.write(json.dumps(rule, ensure_ascii=False) + "\n")
    for rule_id, reason in export.errors:
        print(f"soc: not exported {rule_id}: {reason}", file=sys.stderr)
    return 0


def sigma_navigator(args: argparse.Namespace, settings: Settings) -> int:
    ruleset = load_sigma(settings, _paths(args, settings))
    seen = {r.info.id: r.info for r in ruleset.rules}
    print(json.dumps(navigator_layer(seen.values(), args.name), ensure_ascii=False, indent=2))
    return 0


def sigma_run_scheduled(args: argparse.Namespace, settings: Settings) -> int:
    from detections.alert_store import AlertWriter
    from detections.sigma.correlations import scheduled_correlations
    from detections.sigma.scheduler import ScheduledRunner
    from soc.state.db import open_state

    if settings.store.backend != "sqlite":
        raise SocError(
            "scheduled Sigma here runs on the embedded store",
            hint="for Elasticsearch export the rules: soc sigma export-elastic",
        )
    rules, issues = scheduled_correlations(load_sigma(settings, _paths(args, settings)))
    for issue in issues:
        print(f"soc: {issue.path}: {issue.reason}", file=sys.stderr)
    state = open_state(settings.state_url)
    try:
        writer = AlertWriter(state, window_seconds=settings.detections.group_window_seconds)
        summary = ScheduledRunner(settings.events_path, state, rules, writer).run_once()
    finally:
        state.close()
    print(
        f"{summary.rules} scheduled rules to rowid {summary.scanned_to}: {summary.matches} matches,"
        f" {summary.alerts.created} new alerts, {summary.alerts.grouped} grouped,"
        f" {summary.alerts.suppressed} suppressed, {len(summary.errors)} errors"
    )
    for rule_id, error in summary.errors.items():
        print(f"soc: {rule_id}: {error}", file=sys.stderr)
    return 1 if summary.errors else 0


def _rules_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rules",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="more rule files or folders",
    )
    p.add_argument(
        "--rules-only",
        action="store_true",
        help="only --rules, not the project's and configured rules",
    )


def register_sigma(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sigma = sub.add_parser("sigma", help="Sigma rules: list, convert, export, scheduled run")
    ssub = sigma.add_subparsers(dest="sigma_command", metavar="ACTION", required=True)
    p = ssub.add_parser("list", help="how many rules load, and why the others do not")
    _rules_args(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--all", action="store_true", help="also list skipped rules")
    p.set_defaults(handler=sigma_list)
    p = ssub.add_parser("convert", help="print the query of each rule in a backend's language")
    p.add_argument("--target", choices=TARGETS, required=True)
    p.add_argument("--index", default="logs-soc-events-*", help="Elasticsearch index pattern")
    p.add_argument("rule", nargs="+", type=Path)
    p.set_defaults(handler=sigma_convert)
    p = ssub.add_parser("export-elastic", help="Elastic Security detection rules as NDJSON")
    p.add_argument("--index", default="logs-soc-events-*", help="Elasticsearch index pattern")
    p.add_argument("rule", nargs="+", type=Path)
    p.set_defaults(handler=sigma_export_elastic)
    p = ssub.add_parser("navigator", help="ATT&CK Navigator layer of the loaded rules' coverage")
    _rules_args(p)
    p.add_argument("--name", default="SOC detection coverage")
    p.set_defaults(handler=sigma_navigator)
    p = ssub.add_parser("run-scheduled", help="run correlation rules once over the embedded store")
    _rules_args(p)
    p.set_defaults(handler=sigma_run_scheduled)
