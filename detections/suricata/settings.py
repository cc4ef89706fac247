"""Settings of the Suricata integration: the ``[suricata]`` section of the one configuration."""

from __future__ import annotations

from pathlib import Path

from soc.config import RuleSource, Settings, SuricataSettings

__all__ = ["RuleSource", "SuricataSettings", "suricata_home", "suricata_settings"]


def suricata_settings(settings: Settings) -> SuricataSettings:
    return settings.suricata


def suricata_home(settings: Settings) -> Path:
    return settings.home / "suricata"
