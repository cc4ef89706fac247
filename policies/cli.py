"""``soc policy eval|test`` and ``soc compliance report|changes``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from soc.config import Settings
from soc.errors import SocError
from soc.inventory import LOCAL_TZ


def evaluation_moment(text: str | None, now: datetime | None = None) -> datetime:
    """``--date``: a day means the end of that day in Vietnam (never later than now)."""
    now = now or datetime.now(UTC)
    if not text:
        return now
    try:
        if len(text) == 10:
            day = _in_range(date.fromisoformat(text), text)
            end = datetime.combine(day + timedelta(days=1), dtime(), tzinfo=LOCAL_TZ)
            return min(end - timedelta(seconds=1), now)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as e:
        raise SocError(f"not a date: {text!r}", hint="use YYYY-MM-DD or an ISO 8601 time") from e
    _in_range(moment.date(), text)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _in_range(day: date, text: str) -> date:
    from policies.facts import EARLIEST_EVALUATION, LATEST_EVALUATION

    if not EARLIEST_EVALUATION <= day <= LATEST_EVALUATION:
        raise SocError(
            f"--date {text} is out of range",
            hint=f"evaluate a day from {EARLIEST_EVALUATION} to {LATEST_EVALUATION}",
        )
    return day


@contextmanager
def _stores(settings: Settings) -> Iterator[tuple[Any, Any]]:
    from soc.state.db import open_state
    from soc.stores import open_event_store

    state = open_state(settings.state_url)
    store = open_event_store(settings)
    try:
        yield state, store
    finally:
        store.close()
        state.close()


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from policies.base import create_engine
    from policies.catalog_loader import load_catalog
    from policies.compliance import run_compliance
    from policies.facts import FactsContext
    from policies.output import print_run, run_document

    catalog = load_catalog()
    ctx = FactsContext(
        at=evaluation_moment(args.date),
        profile=args.profile or settings.policy.profile,
        window_hours=settings.policy.live_window_hours,
        store_retention_days=settings.store.active_retention_days(),
    )
    engine = create_engine(settings.policy)
    try:
        with _stores(settings) as (state, store):
            summary = run_compliance(
                engine,
                catalog,
                state,
                store,
                ctx,
                system_ids=args.system or None,
                save=not args.no_save,
            )
    finally:
        engine.close()
    if args.system and not summary.systems:
        raise SocError(f"no such system: {', '.join(args.system)}", hint="see soc assets list")
    if args.format == "json":
        print(json.dumps(run_document(summary), ensure_ascii=False, indent=2))
    else:
        print_run(summary, verbose=args.verbose)
    return 0


def _test(args: argparse.Namespace, settings: Settings) -> int:
    from policies.bundle import REGO_DIR
    from policies.output import TestReporter
    from policies.regotest import run_tests

    root = Path(args.path) if args.path else REGO_DIR
    if not root.is_dir():
        raise SocError(f"no such policy directory: {root}", hint="--path names a directory")
    reporter = TestReporter(verbose=args.verbose)
    start = time.perf_counter()
    results = run_tests(root, keyword=args.keyword, report=reporter)
    return reporter.finish(results, time.perf_counter() - start)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from policies.report import compliance_report, write_report
    from soc.state.db import open_state

    state = open_state(settings.state_url)
    try:
        with state.session() as session:
            report = compliance_report(session, args.agency, run_id=args.run)
    finally:
        state.close()
    target = Path(args.output) if args.output else None
    written = write_report(report, args.format, target)
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _changes(args: argparse.Namespace, settings: Settings) -> int:
    from policies.compliance import changes_between, latest_statuses
    from soc.state.db import open_state

    state = open_state(settings.state_url)
    try:
        with state.session() as session:
            now = latest_statuses(session, args.system or None)
            if not now:
                raise SocError("no compliance run yet", hint="run soc policy eval first")
            before = latest_statuses(session, args.system or None, skip=1)
            compared = {system for system, _ in before}
            now = {k: v for k, v in now.items() if k[0] in compared}
            changes = changes_between(before, now)
    finally:
        state.close()
    print(f"{len(changes)} change(s) between each system's last two evaluations")
    for c in changes:
        print(f"  {c.system_id:<20} {c.requirement_id:<10} {c.before or '-':>14} → {c.after}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    policy = sub.add_parser("policy", help="evaluate and test the Rego policies")
    psub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    p = psub.add_parser("eval", help="evaluate every system's compliance and store the results")
    p.add_argument("--profile", choices=("auto", "legacy", "current"), help="default: config")
    p.add_argument("--date", help="evaluate as of this day (YYYY-MM-DD) or time; default now")
    p.add_argument("--system", action="append", help="only this system (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--verbose", "-v", action="store_true", help="table: every requirement")
    p.add_argument("--no-save", action="store_true", help="do not store a run or raise alerts")
    p.set_defaults(handler=_eval)
    p = psub.add_parser("test", help="run every test_ rule of the _test.rego files")
    p.add_argument("-k", dest="keyword", help="only tests whose id contains this text")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--path", help="policy directory (default: the shipped policies/rego)")
    p.set_defaults(handler=_test)

    compliance = sub.add_parser("compliance", help="compliance reports and history")
    csub = compliance.add_subparsers(dest="compliance_command", metavar="ACTION", required=True)
    p = csub.add_parser("report", help="an agency's compliance report (Vietnamese)")
    p.add_argument("--agency", required=True, help="agency id (its systems and its units')")
    p.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
    p.add_argument("--output", "-o", help="file to write (json: default standard output)")
    p.add_argument("--run", help="run id (default: the latest)")
    p.set_defaults(handler=_report)
    p = csub.add_parser("changes", help="what changed between each system's last two runs")
    p.add_argument("--system", action="append", help="only this system (repeatable)")
    p.set_defaults(handler=_changes)
