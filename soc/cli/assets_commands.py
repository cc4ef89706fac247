"""Command-line subcommands of this package (registered by soc.cli.main)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this package's subcommands (none yet)."""
