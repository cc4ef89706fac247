"""Command-line subcommands of the file and network scanners: ``soc yara`` and ``soc suricata``."""

from __future__ import annotations

import argparse

from detections.suricata.commands import register_suricata
from detections.yara.commands import register_yara


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``yara`` and ``suricata`` with their actions."""
    register_yara(sub)
    register_suricata(sub)
