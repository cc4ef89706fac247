"""Command-line subcommands of the detections package (registered by soc.cli.main):
``soc detect``, ``soc sigma …`` and ``soc alerts …``."""

from __future__ import annotations

import argparse

from detections.alert_commands import register_alerts
from detections.detect_command import register_detect
from detections.sigma_commands import register_sigma


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``detect``, ``sigma`` and ``alerts``."""
    register_detect(sub)
    register_sigma(sub)
    register_alerts(sub)
