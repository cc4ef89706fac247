"""Core subcommands: up, ingest, events, dashboard, version."""

from __future__ import annotations

import argparse

from soc.config import Settings


def _version(args: argparse.Namespace, settings: Settings) -> int:
    from importlib.metadata import version

    print(f"soc {version('soc-platform')}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("version", help="print the version")
    p.set_defaults(handler=_version)
