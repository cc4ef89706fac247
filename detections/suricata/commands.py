"""``soc suricata``: update and show the rule set, replay pcaps, run suricata-verify cases."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from detections.suricata.engine import SuricataEngine
from detections.suricata.indicators import indicator_domains, write_project_ruleset
from detections.suricata.replay import (
    ReplayOutcome,
    already_ingested,
    choose_rules,
    count_eve,
    mark_ingested,
    run_replay,
)
from detections.suricata.rulefile import check_project_rules, project_rule_files, read_rules
from detections.suricata.ruleset import RulesetManager, count_rules
from detections.suricata.settings import suricata_home, suricata_settings
from soc.config import Settings
from soc.errors import ContentError, SocError


def _manager(settings: Settings) -> RulesetManager:
    section, workdir = suricata_settings(settings), suricata_home(settings)
    return RulesetManager(workdir, section, SuricataEngine(section, workdir))


def _emit(data: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines))


def update_command(args: argparse.Namespace, settings: Settings) -> int:
    result = _manager(settings).update()
    v = result.version
    state = "new version" if result.changed else "unchanged"
    _emit(
        {"changed": result.changed, **asdict(v)},
        args.json,
        [
            f"rule set {v.short} ({state}): {v.rules_enabled} enabled of {v.rules_total} rules",
            f"sources: {', '.join(v.sources)}",
            f"recorded {v.created}",
        ],
    )
    return 0


def _check_project_rules(settings: Settings) -> list[str]:
    manager = _manager(settings)
    files = project_rule_files(manager.project_rules)
    problems = check_project_rules([r for f in files for r in read_rules(f)])
    domains = indicator_domains(manager.settings)
    combined = write_project_ruleset(manager.workdir / "check", domains, manager.project_rules)
    manager.engine.test_rules(combined, manager.workdir / "check")
    return problems


def rules_command(args: argparse.Namespace, settings: Settings) -> int:
    manager = _manager(settings)
    if args.check:
        problems = _check_project_rules(settings)
        if problems:
            raise ContentError(f"{len(problems)} problem(s): " + "; ".join(problems))
        print("project rules: valid, and Suricata loads every one")
        return 0
    active = manager.active()
    history = manager.history() if args.history else []
    data: dict[str, Any] = {
        "active": asdict(active) if active else None,
        "history": [asdict(v) for v in history],
    }
    if active is None:
        lines = ["no active rule set yet: run 'soc suricata update'"]
    else:
        total, enabled = count_rules(manager.rules_path)
        lines = [
            f"active rule set {active.short} recorded {active.created}",
            f"{enabled} enabled of {total} rules in {manager.rules_path}",
            f"sources: {', '.join(f'{k} ({u})' for k, u in active.sources.items())}",
        ]
    lines += [f"  {v.created}  {v.short}  {v.rules_enabled}/{v.rules_total}" for v in history]
    _emit(data, args.json, lines)
    return 0


def _ingest_eve(settings: Settings, eve: Path) -> dict[str, int]:
    from soc.ingest_run import run_ingest

    if not eve.is_file():
        return {"read": 0, "ingested": 0, "duplicates": 0, "rejected": 0}
    return run_ingest(settings, "suricata-eve", [eve], show_progress=False)


def replay_command(args: argparse.Namespace, settings: Settings) -> int:
    pcap: Path = args.pcap
    if not pcap.exists():
        raise SocError("no such pcap file or folder", source=pcap, hint="check the path")
    manager = _manager(settings)
    rules = choose_rules(manager, args.rules, manager.workdir)
    outdir, run = run_replay(manager.engine, pcap, rules, manager.workdir, force=args.force)
    counts = already_ingested(outdir)
    if not args.no_ingest and counts is None:
        counts = _ingest_eve(settings, outdir / "eve.json")
        mark_ingested(outdir, counts)
    events, alerts = count_eve(outdir / "eve.json")
    outcome = ReplayOutcome(outdir, outdir / "eve.json", rules, events, alerts, run, counts)
    _report_replay(outcome, args.json)
    return 0


def _report_replay(outcome: ReplayOutcome, as_json: bool) -> None:
    run = outcome.run
    data = {
        "eve": str(outcome.eve),
        "rules": outcome.rules.label,
        "events": outcome.events,
        "alerts": outcome.alerts,
        "seconds": round(run.seconds, 3) if run else None,
        "reused": run is None,
        "ingest": outcome.ingest,
    }
    timing = f"in {run.seconds:.2f} s" if run else "(earlier replay reused; --force to rerun)"
    lines = [
        f"suricata: {outcome.events} eve records, {outcome.alerts} alerts {timing}",
        f"rules: {outcome.rules.label}; eve: {outcome.eve}",
    ]
    if outcome.ingest is not None:
        lines.append("ingest: " + ", ".join(f"{k} {v}" for k, v in outcome.ingest.items()))
    _emit(data, as_json, lines)


def verify_command(args: argparse.Namespace, settings: Settings) -> int:
    from detections.suricata.verify import build_features, discover_cases, run_case

    manager = _manager(settings)
    if not args.folder.is_dir():
        raise SocError("not a folder", source=args.folder, hint="a suricata-verify checkout")
    features = build_features(manager.engine)
    failed = 0
    for case in discover_cases(args.folder):
        result = run_case(case, manager.engine, manager.workdir / "verify" / case.name, features)
        failed += result.status == "failed"
        supported = sum(1 for c in result.checks if c.ok is not None)
        print(f"{result.status:<8} {case.name}  ({supported} checks) {result.reason}")
    return 1 if failed else 0


def samples_command(args: argparse.Namespace, settings: Settings) -> int:
    from detections.suricata.samples import load_samples, write_sample_pcap

    written = 0
    for spec in load_samples():
        for polarity in ("positive", "negative"):
            write_sample_pcap([spec], polarity, args.out / f"{spec.sid}-{polarity}.pcap")
            written += 1
    print(f"wrote {written} pcaps to {args.out}", file=sys.stderr)
    return 0


def register_suricata(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("suricata", help="Suricata rule sets and offline pcap replay")
    ssub = cmd.add_subparsers(dest="suricata_command", metavar="ACTION", required=True)

    p = ssub.add_parser("update", help="build the rule set from local sources (suricata-update)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=update_command)

    p = ssub.add_parser("rules", help="show the active rule set and its versions")
    p.add_argument("--history", action="store_true", help="list every recorded version")
    p.add_argument("--check", action="store_true", help="validate the project's own rules")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=rules_command)

    p = ssub.add_parser("replay", help="run Suricata on a pcap and ingest its eve.json")
    p.add_argument("pcap", type=Path, metavar="PCAP")
    p.add_argument(
        "--rules", type=Path, metavar="FILE", help="a rules file instead of the active set"
    )
    p.add_argument("--no-ingest", action="store_true", help="run Suricata only")
    p.add_argument("--force", action="store_true", help="rerun even if already replayed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=replay_command)

    p = ssub.add_parser(
        "verify", help="run suricata-verify cases (test.yaml) with the real Suricata"
    )
    p.add_argument("folder", type=Path, metavar="DIR")
    p.set_defaults(handler=verify_command)

    p = ssub.add_parser("samples", help="write each SOC rule's positive and negative pcaps")
    p.add_argument("out", type=Path, metavar="OUTDIR")
    p.set_defaults(handler=samples_command)
