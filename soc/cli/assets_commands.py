"""``soc assets`` and ``soc evidence``: import, export and list the inventory and evidence."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from soc.config import Settings
from soc.errors import SocError
from soc.inventory import (
    InventoryErrors,
    dump_evidence,
    dump_evidence_csv,
    dump_inventory,
    import_evidence,
    import_inventory,
    load_inventory,
    parse_evidence,
    read_evidence,
    read_inventory,
    read_text,
)
from soc.state.db import StateDB, open_state
from soc.state.models import Agency, Evidence, System

Handler = Callable[[argparse.Namespace, Settings], int]


@contextmanager
def _state(settings: Settings) -> Iterator[StateDB]:
    db = open_state(settings.state_url)
    try:
        yield db
    finally:
        db.close()


def _reporting_every_error(handler: Handler) -> Handler:
    """Print each problem of a file on its own line (file:line: message) and exit 2."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except InventoryErrors as e:
            for error in e.errors:
                print(f"soc: error: {error}", file=sys.stderr)
            print(f"soc: {len(e.errors)} problem(s), nothing imported", file=sys.stderr)
            return 2

    return run


def _write(text: str, target: str | None) -> None:
    if target in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        Path(str(target)).write_text(text, encoding="utf-8")
    except OSError as e:
        raise SocError(f"cannot write: {e.strerror}", source=target) from e
    print(f"wrote {target}", file=sys.stderr)


def _assets_import(args: argparse.Namespace, settings: Settings) -> int:
    inventory = load_inventory(Path(args.file))
    with _state(settings) as db, db.session() as s:
        counts = import_inventory(s, inventory, prune=args.prune)
    print("imported {agencies} agencies, {systems} systems, removed {removed}".format(**counts))
    return 0


def _export_format(args: argparse.Namespace) -> Literal["yaml", "csv"]:
    if args.format:
        return "csv" if args.format == "csv" else "yaml"
    return "csv" if str(args.file or "").lower().endswith(".csv") else "yaml"


def _assets_export(args: argparse.Namespace, settings: Settings) -> int:
    with _state(settings) as db, db.session() as s:
        inventory = read_inventory(s)
    _write(dump_inventory(inventory, _export_format(args)), args.file)
    return 0


def _assets_list(args: argparse.Namespace, settings: Settings) -> int:
    with _state(settings) as db, db.session() as s:
        query = select(System).order_by(System.id)
        if args.agency:
            if s.get(Agency, args.agency) is None:
                raise SocError(f"unknown agency: {args.agency!r}", hint="see soc assets export")
            query = query.where(System.agency_id == args.agency)
        rows: list[dict[str, Any]] = [
            {
                "id": r.id,
                "name": r.name,
                "agency": r.agency_id,
                "zone": r.zone,
                "level": r.security_level,
                "ip_ranges": r.ip_ranges,
            }
            for r in s.scalars(query)
        ]
    _print_rows(rows, args.format, ("id", "level", "zone", "agency", "name"))
    return 0


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> None:
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for row in rows:
        cells = ["-" if row.get(c) is None else str(row[c]) for c in columns]
        print(
            "  ".join(f"{cell:<18}" if i < len(cells) - 1 else cell for i, cell in enumerate(cells))
        )
    print(f"({len(rows)} rows)", file=sys.stderr)


def _evidence_import(args: argparse.Namespace, settings: Settings) -> int:
    fmt: Literal["yaml", "csv"] = "csv" if args.file.lower().endswith(".csv") else "yaml"
    found, lines = parse_evidence(read_text(Path(args.file)), args.file, fmt)
    with _state(settings) as db, db.session() as s:
        counts = import_evidence(s, found, source=args.file, lines=lines)
    print("imported {evidence} evidence records, {exchanges} new exchanges".format(**counts))
    return 0


def _evidence_export(args: argparse.Namespace, settings: Settings) -> int:
    with _state(settings) as db, db.session() as s:
        found = read_evidence(s)
    _write(
        dump_evidence_csv(found) if _export_format(args) == "csv" else dump_evidence(found),
        args.file,
    )
    return 0


def _evidence_list(args: argparse.Namespace, settings: Settings) -> int:
    with _state(settings) as db, db.session() as s:
        query = select(Evidence).order_by(Evidence.issued_on, Evidence.id)
        if args.system:
            query = query.where(Evidence.system_id == args.system)
        if args.kind:
            query = query.where(Evidence.kind == args.kind)
        rows: list[dict[str, Any]] = [
            {
                "id": (r.details or {}).get("key", r.id),
                "kind": r.kind,
                "subject": r.system_id or r.agency_id,
                "issued_on": r.issued_on,
                "title": r.title,
            }
            for r in s.scalars(query)
        ]
    _print_rows(rows, args.format, ("issued_on", "kind", "subject", "id", "title"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    assets = sub.add_parser("assets", help="the inventory of agencies and information systems")
    asub = assets.add_subparsers(dest="assets_command", metavar="ACTION", required=True)
    p = asub.add_parser("import", help="load a YAML or CSV inventory into the state database")
    p.add_argument("file", help="inventory file (.yaml/.yml or .csv)")
    p.add_argument("--prune", action="store_true", help="remove systems and agencies not in it")
    p.set_defaults(handler=_reporting_every_error(_assets_import))
    p = asub.add_parser("export", help="write the inventory as YAML or CSV")
    p.add_argument("file", nargs="?", help="output file (default: standard output)")
    p.add_argument("--format", choices=("yaml", "csv"), help="default: from the file name")
    p.set_defaults(handler=_assets_export)
    p = asub.add_parser("list", help="list information systems")
    p.add_argument("--agency", help="only the systems this agency owns")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_assets_list)

    evidence = sub.add_parser("evidence", help="declared evidence and exchanges (compliance)")
    esub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    p = esub.add_parser("import", help="load evidence YAML or CSV (records upserted by id)")
    p.add_argument("file", help="evidence file (.yaml/.yml, or .csv for records only)")
    p.set_defaults(handler=_reporting_every_error(_evidence_import))
    p = esub.add_parser("export", help="write the evidence as YAML (with exchanges) or CSV")
    p.add_argument("file", nargs="?", help="output file (default: standard output)")
    p.add_argument("--format", choices=("yaml", "csv"), help="default: from the file name")
    p.set_defaults(handler=_evidence_export)
    p = esub.add_parser("list", help="list evidence records")
    p.add_argument("--system")
    p.add_argument("--kind")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_evidence_list)
