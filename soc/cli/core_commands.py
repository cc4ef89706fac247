"""Core subcommands: up, dashboard, ingest, events search, dead-letters, status, version."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from collectors.base import DeadLetter
from soc.config import Settings
from soc.ecs import format_timestamp
from soc.errors import SocError
from soc.runtime import Platform
from soc.stores.base import EventQuery
from soc.timeparse import parse_since


@contextmanager
def _platform(settings: Settings) -> Iterator[Platform]:
    platform = Platform.open(settings)
    try:
        yield platform
    finally:
        platform.close()


def _version(args: argparse.Namespace, settings: Settings) -> int:
    from importlib.metadata import version

    print(f"soc {version('soc-platform')}")
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from soc.ingest_run import run_ingest

    folders = [str(p) for p in args.files if p.is_dir()]
    if folders:
        raise SocError(
            f"is a directory, not a file: {', '.join(folders)}",
            hint="name the files in it, e.g. DIR/*.log",
        )
    counts = run_ingest(settings, args.source_type, args.files, show_progress=not args.json)
    if args.json:
        print(json.dumps(counts))
    else:
        print(
            "read {read}, ingested {ingested}, duplicates {duplicates}, rejected {rejected}".format(
                **counts
            )
        )
    return 0


def _print_events(events: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        for ev in events:
            sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
        return
    for ev in events:
        e = ev.get("event", {})
        summary = ev.get("message") or ev.get("rule", {}).get("name") or e.get("action") or ""
        print(f"{ev.get('@timestamp', '')}  {e.get('dataset', ''):<20} {str(summary)[:100]}")


def _events_search(args: argparse.Namespace, settings: Settings) -> int:
    query = EventQuery(
        dataset=args.dataset,
        since=parse_since(args.since) if args.since else None,
        kind=args.kind,
        text=args.text,
        limit=args.limit,
    )
    with _platform(settings) as platform:
        _print_events(platform.store.search(query), args.format)
    return 0


RAW_PREVIEW_CHARS = 80


def raw_preview(raw: bytes, limit: int = RAW_PREVIEW_CHARS) -> str:
    """The first characters of a refused record, safe for a terminal: bytes that are not UTF-8
    and characters that are not printable (controls, escapes, bidi marks) shown as escapes."""
    text = raw[: limit * 4].decode("utf-8", "backslashreplace")
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[:limit])
    return shown + ("…" if len(text) > limit or len(raw) > limit * 4 else "")


def _letter_json(letter: DeadLetter) -> dict[str, Any]:
    return {
        "at": format_timestamp(letter.received_at),
        "source": letter.source,
        "source_type": letter.source_type,
        "offset": letter.offset,
        "reason": letter.reason,
        "raw_bytes": len(letter.raw),
        "raw": raw_preview(letter.raw),
    }


def _dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    with _platform(settings) as platform:
        store = platform.store
        if args.source is None:
            letters = store.dead_letters(limit=args.limit)
        else:
            letters = store.dead_letters_from(args.source, limit=args.limit)
    if args.json:
        for letter in letters:
            print(json.dumps(_letter_json(letter), ensure_ascii=False))
        return 0
    if not letters:
        print("no dead letters" + (f" from {args.source}" if args.source else ""))
    for letter in letters:
        row = _letter_json(letter)
        offset = "" if row["offset"] is None else f"@{row['offset']}"
        print(
            f"{row['at']}  {raw_preview(letter.source.encode(), 200)}{offset}  {row['source_type']}"
        )
        print(f"    reason: {raw_preview(letter.reason.encode(), 500)}")
        print(f"    raw ({row['raw_bytes']} bytes): {row['raw']}")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from soc.status import collect_status

    with _platform(settings) as platform:
        status = collect_status(platform)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        for key, value in status.items():
            print(f"{key}: {value}")
    return 0


def _up(args: argparse.Namespace, settings: Settings) -> int:
    from soc.serve import run_up

    return run_up(settings, demo=args.demo, host=args.host, port=args.port)


def _dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from soc.serve import run_dashboard

    return run_dashboard(settings, host=args.host, port=args.port)


def _store_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Install the event store's layout (Elasticsearch templates and ILM; SQLite tables)."""
    with _platform(settings) as platform:
        setup = getattr(platform.store, "ensure_setup", None)
        if setup is not None:
            setup()
    print(f"event store ready: {platform.store.NAME}")
    return 0


def _store_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Purge events older than the retention (``--days`` overrides the configured days)."""
    from soc.retention import purge_expired

    if args.days is not None:
        settings = settings.model_copy(
            update={"store": settings.store.model_copy(update={"retention_days": args.days})}
        )
    with _platform(settings) as platform:
        removed = purge_expired(settings, platform.store)
    print(f"purged {removed} events older than {settings.store.active_retention_days()} days")
    return 0


def whole_number(text: str) -> int:
    """``--limit`` and ``--days``: a whole number from 1 to 100000, said plainly when it is not."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to 100000, got {text!r}"
        ) from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 100000, got {value}")
    return value


def _add_serve_options(p: argparse.ArgumentParser, settings_hint: str) -> None:
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help=f"port (default 8050){settings_hint}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="run the pipeline and the console (embedded stores by default)")
    p.add_argument("--demo", action="store_true", help="load the Đà Nẵng demo data and accounts")
    _add_serve_options(p, "")
    p.set_defaults(handler=_up)

    p = sub.add_parser("dashboard", help="serve the console only, against the configured stores")
    _add_serve_options(p, "")
    p.set_defaults(handler=_dashboard)

    p = sub.add_parser("ingest", help="import files once through the pipeline")
    p.add_argument("--source-type", required=True, help="e.g. suricata-eve, syslog, web-access")
    p.add_argument("--json", action="store_true", help="print the counters as JSON")
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(handler=_ingest)

    events = sub.add_parser("events", help="search the event store")
    esub = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    p = esub.add_parser("search", help="search events, newest first")
    p.add_argument("--dataset", help="event.dataset, e.g. suricata.eve")
    p.add_argument("--since", help="ISO time or span (15m, 24h, 7d)")
    p.add_argument("--kind", help="event.kind, e.g. alert")
    p.add_argument("--text", help="substring anywhere in the event")
    p.add_argument("--limit", type=whole_number, default=50)
    p.add_argument("--format", choices=("table", "jsonl"), default="table")
    p.set_defaults(handler=_events_search)

    store = sub.add_parser("store", help="event store administration")
    ssub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    p = ssub.add_parser("setup", help="install templates / ILM (idempotent; needs an admin key)")
    p.set_defaults(handler=_store_setup)
    p = ssub.add_parser("purge", help="delete events older than the retention (embedded store)")
    p.add_argument("--days", type=whole_number, help="override store.retention_days for this run")
    p.set_defaults(handler=_store_purge)

    p = sub.add_parser("dead-letters", help="records the platform refused, newest first")
    p.add_argument("--limit", type=whole_number, default=20, help="at most N letters (default 20)")
    p.add_argument("--source", help="only the letters of this source (a path or syslog://peer)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=_dead_letters)

    p = sub.add_parser("status", help="what the platform holds: events, rejects, alerts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_status)

    p = sub.add_parser("version", help="print the version")
    p.set_defaults(handler=_version)
