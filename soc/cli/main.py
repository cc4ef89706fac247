"""The ``soc`` command: global options, the explicit list of command modules, error handling."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from soc.config import Settings, load_settings
from soc.errors import SocError
from soc.runtime import home_error, is_about_home

# Each module exposes ``register(subparsers)`` and sets ``handler(args, settings) -> int`` on the
# parsers it adds. Explicit, in the order ``soc --help`` lists them.
COMMAND_MODULES = (
    "soc.cli.core_commands",
    "collectors.cli",
    "detections.cli",
    "detections.scanners_cli",
    "soc.cli.assets_commands",
    "policies.cli",
    "soc_dashboard.cli",
)


class _Handler(Protocol):
    def __call__(self, args: argparse.Namespace, settings: Settings) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soc",
        description="SOC monitoring and policy-as-code platform (Vietnamese city governments).",
    )
    parser.add_argument("--home", type=Path, help="data directory (default: $SOC_HOME or ./var)")
    parser.add_argument("--config", type=Path, help="TOML configuration file (default: none)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: _Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    settings: Settings | None = None
    try:
        settings = load_settings(args.config, home=args.home)
        return handler(args, settings)
    except SocError as e:
        print(f"soc: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        if settings is None or not is_about_home(settings, e):
            raise
        print(f"soc: error: {home_error(settings, e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("soc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
