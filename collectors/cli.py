"""Subcommands of the collection layer (registered by soc.cli.main): collect, receiver-token."""

from __future__ import annotations

import argparse
import asyncio
import signal

from soc.config import Settings, SourceSettings
from soc.errors import ConfigError


def _collect(args: argparse.Namespace, settings: Settings) -> int:
    from collectors.service import CollectorService
    from soc.runtime import Platform

    sources = _chosen(settings.sources, args.source, args.zone)
    platform = Platform.open(settings)
    try:
        asyncio.run(_run_until_signalled(CollectorService(platform, sources)))
    finally:
        platform.close()
    return 0


async def _run_until_signalled(collectors: object) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await collectors.run(stop)  # type: ignore[attr-defined]


def _chosen(
    sources: list[SourceSettings], names: list[str] | None, zone: str | None
) -> list[SourceSettings]:
    chosen = [s for s in sources if (not names or s.name in names) and (not zone or s.zone == zone)]
    unknown = sorted(set(names or ()) - {s.name for s in sources})
    if unknown:
        known = ", ".join(s.name for s in sources) or "none configured"
        raise ConfigError(f"unknown source {unknown[0]!r}", hint=f"sources: {known}")
    if not chosen:
        raise ConfigError("no source to run", hint="check [[sources]] and --source/--zone")
    return chosen


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from collectors.http_receiver import TokenRegistry

    tokens = TokenRegistry(settings.home / "receiver-tokens.json")
    if args.action == "add":
        if not args.name:
            raise ConfigError("a sender name is needed", hint="soc receiver-token add NAME")
        print(tokens.issue(args.name, args.agency))
        return 0
    if args.action == "revoke":
        if not args.name or not tokens.revoke(args.name):
            raise ConfigError(f"no token named {args.name!r}", hint="see: soc receiver-token list")
        return 0
    for name in tokens.names():
        print(name)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``collect`` and ``receiver-token``."""
    p = sub.add_parser("collect", help="run the configured collectors (tailers, syslog, HTTP)")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeat)")
    p.add_argument("--zone", help="only the sources of this zone")
    p.set_defaults(handler=_collect)
    t = sub.add_parser("receiver-token", help="bearer tokens of the HTTP event receiver")
    t.add_argument("action", choices=("add", "revoke", "list"))
    t.add_argument("name", nargs="?", help="sender name (an application or agency)")
    t.add_argument("--agency", help="agency id stamped on this sender's events")
    t.set_defaults(handler=_token)
