"""Settings of the YARA scanner: the ``[yara]`` section of the one configuration."""

from __future__ import annotations

from pathlib import Path

from soc.config import Settings, YaraSettings, YaraWatchSettings

__all__ = ["YaraSettings", "YaraWatchSettings", "cache_dir", "yara_settings"]


def yara_settings(settings: Settings) -> YaraSettings:
    return settings.yara


def cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "yara"
