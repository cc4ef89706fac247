"""Settings of the Suricata integration (the ``[suricata]`` section of the configuration)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from soc.config import Settings

_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class RuleSource(BaseModel):
    """A rule source for suricata-update: a local file (``.rules`` or ``.tar.gz``) or a URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str  # file:///path, an absolute path, or https://… when allow_remote_sources is on

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SOURCE_NAME.match(value) or value == "soc-project":
            raise ValueError("lower-case letters, digits, '.', '_' or '-'; not 'soc-project'")
        return value


class SuricataSettings(BaseModel):
    """Where Suricata and suricata-update are, the rule sources, and the run limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    binary: Path = Path("/usr/bin/suricata")
    update_binary: Path | None = None  # default: suricata-update beside the Python, then PATH
    base_config: Path = Path("/etc/suricata/suricata.yaml")
    home_net: str = "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]"
    include_project_rules: bool = True
    sources: list[RuleSource] = Field(default_factory=list)
    allow_remote_sources: bool = False  # offline by default: only local files are fetched
    # suricata-update filter lines (enable.conf / disable.conf / modify.conf / drop.conf syntax):
    # "2019401", "re:heartbleed", "group:emerging-scan.rules", '9100031 "count 20" "count 40"'
    enable: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    modify: list[str] = Field(default_factory=list)
    drop: list[str] = Field(default_factory=list)
    # Exact domain names for rule 9100204, added to detections/rules/suricata/indicator-domains.txt
    indicator_domains: list[str] = Field(default_factory=list)
    indicator_domains_file: Path | None = None  # one domain per line, '#' comments
    test_ruleset: bool = True  # suricata-update checks the result with ``suricata -T``
    update_timeout_seconds: int = Field(default=600, ge=10, le=7200)
    run_timeout_seconds: int = Field(default=900, ge=10, le=86_400)
    max_pcap_bytes: int = Field(default=4 * 1_073_741_824, ge=1024)
    keep_versions: int = Field(default=10, ge=1, le=1000)

    @field_validator("enable", "disable", "modify", "drop")
    @classmethod
    def _one_line(cls, values: list[str]) -> list[str]:
        for value in values:
            if "\n" in value or "\r" in value:
                raise ValueError("one filter per list item, without line breaks")
        return values


def suricata_settings(settings: Settings) -> SuricataSettings:
    """The ``[suricata]`` section, or the defaults until the core configuration carries it."""
    section = getattr(settings, "suricata", None)
    if section is None or isinstance(section, SuricataSettings):
        return section or SuricataSettings()
    # the core may hold its own copy of this model: same keys, validated again here
    data = section.model_dump() if isinstance(section, BaseModel) else section
    return SuricataSettings.model_validate(data)


def suricata_home(settings: Settings) -> Path:
    return settings.home / "suricata"
