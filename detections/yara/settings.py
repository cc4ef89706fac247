"""Settings of the YARA scanner (the ``[yara]`` section of the configuration)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from soc.config import Settings


class YaraWatchSettings(BaseModel):
    """Folders polled for new or changed files (e-government uploads, incident evidence)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folders: list[Path] = Field(default_factory=list)
    interval_seconds: float = Field(default=10.0, ge=0.5, le=3600)
    # A file still being written is scanned once it has not changed for this long.
    settle_seconds: float = Field(default=2.0, ge=0, le=3600)
    report_skipped: bool = True  # emit an event for files the limits kept from being scanned


class YaraSettings(BaseModel):
    """Rule locations and the limits every scan runs under."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_paths: list[Path] = Field(default_factory=list)  # added to detections/rules/yara
    include_project_rules: bool = True
    max_file_bytes: int = Field(default=64 * 1_048_576, ge=1, le=4 * 1_073_741_824)
    scan_timeout_seconds: int = Field(default=30, ge=1, le=3600)
    max_depth: int = Field(default=16, ge=0, le=256)
    max_files: int = Field(default=100_000, ge=1, le=10_000_000)
    max_rule_files: int = Field(default=20_000, ge=1, le=1_000_000)
    max_rule_file_bytes: int = Field(default=16 * 1_048_576, ge=1024)
    max_strings_per_match: int = Field(default=20, ge=0, le=1000)
    cache_entries: int = Field(default=8, ge=1, le=256)
    watch: YaraWatchSettings = Field(default_factory=YaraWatchSettings)


def yara_settings(settings: Settings) -> YaraSettings:
    """The ``[yara]`` section, or the defaults until the core configuration carries it."""
    section = getattr(settings, "yara", None)
    if section is None or isinstance(section, YaraSettings):
        return section or YaraSettings()
    # the core may hold its own copy of this model: same keys, validated again here
    data = section.model_dump() if isinstance(section, BaseModel) else section
    return YaraSettings.model_validate(data)


def cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "yara"
