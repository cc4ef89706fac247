"""The one typed configuration, parsed once at the entry point (TOML; every key has a default)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from soc.errors import ConfigError

HOME_ENV = "SOC_HOME"
CONFIG_ENV = "SOC_CONFIG"
DEFAULT_HOME = Path("var")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ElasticsearchSettings(_Section):
    hosts: list[str] = Field(default_factory=lambda: ["https://localhost:9200"])
    api_key_env: str = "SOC_ES_API_KEY"  # the key itself is read from this variable, never stored
    ca_certs: Path | None = None
    verify_certs: bool = True
    data_stream_prefix: str = "logs-soc"
    request_timeout: float = 30.0
    max_retries: int = Field(default=3, ge=0, le=20)
    retention_days: int = Field(default=365, ge=1, le=36_500)
    number_of_shards: int = Field(default=1, ge=1, le=64)
    number_of_replicas: int = Field(default=1, ge=0, le=8)


class StoreSettings(_Section):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    sqlite_path: Path | None = None  # default: <home>/events.db
    # Embedded store: events and dead letters older than this are purged (hourly in soc up).
    # Level 5 systems need 12 months of logs, hence the default.
    retention_days: int = Field(default=365, ge=1, le=36_500)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)

    def active_retention_days(self) -> int:
        """Days of events the configured backend keeps (ILM for Elasticsearch)."""
        if self.backend == "elasticsearch":
            return self.elasticsearch.retention_days
        return self.retention_days


class StateSettings(_Section):
    # SQLAlchemy URL; default sqlite:///<home>/state.db. PostgreSQL: postgresql+psycopg://...
    url: str | None = None
    password_env: str = "SOC_STATE_PASSWORD"


class IngestSettings(_Section):
    batch_size: int = Field(default=2000, ge=1, le=100_000)
    max_record_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    dead_letter_keep_bytes: int = Field(default=65_536, ge=256, le=1_048_576)
    # time zone of RFC 3164 senders, whose stamps carry none (default: the console's)
    syslog_timezone: str | None = None
    queue_max_batches: int = Field(default=8, ge=1, le=1024)
    spool_max_bytes: int = Field(default=1_073_741_824, ge=1_048_576)


class EnrichmentSettings(_Section):
    geoip_paths: list[Path] = Field(default_factory=list)  # plus <home>/geoip/*.mmdb
    intel_paths: list[Path] = Field(default_factory=list)  # plus <home>/intel/*.csv|json
    internal_ranges: list[str] = Field(default_factory=list)  # beyond RFC 1918 and the MAN


class ConsoleSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65535)
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    session_hours: int = Field(default=8, ge=1, le=168)
    # Mark session cookies Secure: on when the console is served behind a TLS reverse proxy
    secure_cookies: bool = False


class DetectionSettings(_Section):
    sigma_paths: list[Path] = Field(default_factory=list)  # added to detections/rules/sigma
    streaming: bool = True
    group_window_seconds: int = Field(default=3600, ge=0)


class PolicySettings(_Section):
    engine: Literal["regopy", "opa"] = "regopy"
    opa_url: str | None = None
    profile: Literal["auto", "legacy", "current"] = "auto"
    live_window_hours: int = Field(default=24, ge=1)
    # Embedded-engine worker processes for large evaluations (each compiles the policies once,
    # ~1.3 s and ~100 MB): 0 = one per CPU, at most 4; 1 = evaluate in the calling process.
    workers: int = Field(default=0, ge=0, le=16)


class YaraWatchSettings(_Section):
    """Folders polled for new or changed files (e-government uploads, incident evidence)."""

    folders: list[Path] = Field(default_factory=list)
    interval_seconds: float = Field(default=10.0, ge=0.5, le=3600)
    # A file still being written is scanned once it has not changed for this long.
    settle_seconds: float = Field(default=2.0, ge=0, le=3600)
    report_skipped: bool = True  # emit an event for files the limits kept from being scanned


class YaraSettings(_Section):
    """Rule locations and the limits every scan runs under."""

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


_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class RuleSource(_Section):
    """A rule source for suricata-update: a local file (``.rules`` or ``.tar.gz``) or a URL."""

    name: str
    url: str  # file:///path, an absolute path, or https://… when allow_remote_sources is on

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SOURCE_NAME.match(value) or value == "soc-project":
            raise ValueError("lower-case letters, digits, '.', '_' or '-'; not 'soc-project'")
        return value


class SuricataSettings(_Section):
    """Where Suricata and suricata-update are, the rule sources, and the run limits."""

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


class SourceSettings(_Section):
    name: str
    type: Literal["file", "syslog-udp", "syslog-tcp", "syslog-tls", "http", "pcap", "interface"]
    source_type: str
    path: str | None = None
    address: str | None = None
    zone: str | None = None
    agency: str | None = None
    from_beginning: bool = False
    options: dict[str, Any] = Field(default_factory=dict)


class Settings(_Section):
    """The whole configuration; ``home`` is resolved to an absolute directory at load."""

    home: Path = DEFAULT_HOME
    city: str = "Đà Nẵng"
    store: StoreSettings = Field(default_factory=StoreSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    enrichment: EnrichmentSettings = Field(default_factory=EnrichmentSettings)
    yara: YaraSettings = Field(default_factory=YaraSettings)
    suricata: SuricataSettings = Field(default_factory=SuricataSettings)
    detections: DetectionSettings = Field(default_factory=DetectionSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    sources: list[SourceSettings] = Field(default_factory=list)

    @property
    def events_path(self) -> Path:
        return self.store.sqlite_path or self.home / "events.db"

    @property
    def state_url(self) -> str:
        return self.state.url or f"sqlite:///{self.home / 'state.db'}"


def _explain(error: ValidationError, source: str) -> ConfigError:
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    hint = (
        "remove the key (the default applies)"
        if first["type"] == "extra_forbidden"
        else "fix the value or remove the key to use the default; see soc.example.toml"
    )
    return ConfigError(f"invalid key {key}: {first['msg']}{more}", source=source, hint=hint)


def load_settings(
    path: Path | None = None,
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read the TOML file (if any), apply ``--home``/``SOC_HOME``, validate once."""
    env = os.environ if environ is None else environ
    config_path = path or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    raw: dict[str, Any] = {}
    source = str(config_path) if config_path else "<defaults>"
    if config_path is not None:
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ConfigError("configuration file not found", source=source) from e
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"not valid TOML: {e}", source=source) from e
    raw.update(overrides or {})
    if home is not None:
        raw["home"] = str(home)
    elif env.get(HOME_ENV):
        raw["home"] = env[HOME_ENV]
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as e:
        raise _explain(e, source) from e
    return settings.model_copy(update={"home": settings.home.expanduser().resolve()})
