"""Run ``soc yara …`` / ``soc suricata …`` as soc.cli.main does, with only the scanner commands.

soc.cli.main imports every package's commands; building just ours keeps these tests about our
commands (one test still checks that main lists the module).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from detections.scanners_cli import register
from soc.config import load_settings
from soc.errors import SocError


def run_soc(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="soc")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--config", type=Path)
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    try:
        return int(args.handler(args, load_settings(args.config, home=args.home)))
    except SocError as e:
        print(f"soc: error: {e}", file=sys.stderr)
        return 2
