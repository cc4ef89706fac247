"""Elasticsearch layout of the event store: daily indices named by event date, their ECS index
template, the ILM retention policy and the dead-letter index (pure data, no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from soc.config import ElasticsearchSettings
from soc.errors import ConfigError

# Bump when a body below changes: ensure_setup() replaces older installed versions.
SCHEMA_VERSION = 1
# Above the built-in ``logs-*-*`` data-stream template (100) and Fleet's (up to 500), which
# would otherwise turn our ``logs-soc-…`` indices into data streams (Elastic's advice: > 500).
TEMPLATE_PRIORITY = 510
KEYWORD_LIMIT = 1024
TOTAL_FIELDS_LIMIT = 2000
DEFAULT_RETENTION_DAYS = 365
MANAGED_BY = "soc-platform"

_PREFIX = re.compile(r"[a-z0-9][a-z0-9._-]{0,200}")


def _names(text: str) -> list[str]:
    return text.split()


# The ECS fields the platform reads, by Elasticsearch type. Anything else is mapped by the
# dynamic templates: strings as keyword, ``soc.*`` always keyword, numbers as numbers.
_ENDPOINT_KEYWORDS = (
    "address domain mac registered_domain user.name geo.country_iso_code geo.country_name "
    "geo.city_name geo.region_name as.organization.name"
)
_ENDPOINTS = ("source", "destination", "client", "server")
KEYWORD_FIELDS = _names(
    "event.id event.kind event.category event.type event.action event.outcome event.dataset "
    "event.module event.provider event.code event.hash event.reason event.timezone "
    "event.reference ecs.version tags related.user related.hosts related.hash "
    "network.protocol network.transport network.type network.direction network.community_id "
    "network.application network.name "
    "host.name host.hostname host.id host.type host.domain host.mac host.os.family host.os.name "
    "host.os.platform host.os.version host.os.kernel "
    "user.name user.id user.domain user.email user.full_name user.roles user.target.name "
    "user.target.id user.effective.name "
    "process.name process.executable process.command_line process.args process.title "
    "process.working_directory process.entity_id process.hash.md5 process.hash.sha1 "
    "process.hash.sha256 process.parent.name process.parent.executable "
    "process.parent.command_line process.parent.entity_id "
    "file.name file.path file.directory file.extension file.mime_type file.type "
    "file.hash.md5 file.hash.sha1 file.hash.sha256 "
    "url.original url.full url.domain url.path url.query url.scheme url.fragment url.extension "
    "http.request.method http.request.referrer http.request.id http.version "
    "user_agent.original user_agent.name user_agent.os.name user_agent.device.name "
    "dns.question.name dns.question.type dns.question.class dns.question.registered_domain "
    "dns.response_code dns.type dns.id dns.op_code dns.header_flags dns.answers.name "
    "dns.answers.type dns.answers.data "
    "tls.version tls.version_protocol tls.cipher tls.client.ja3 tls.client.server_name "
    "tls.server.ja3s tls.server.subject tls.server.issuer "
    "rule.id rule.name rule.category rule.ruleset rule.version rule.uuid rule.reference "
    "rule.author rule.license rule.description "
    "threat.framework threat.tactic.id threat.tactic.name threat.tactic.reference "
    "threat.technique.id threat.technique.name threat.technique.reference "
    "threat.technique.subtechnique.id threat.technique.subtechnique.name "
    "threat.indicator.type threat.indicator.provider threat.indicator.reference "
    "threat.indicator.description threat.indicator.marking.tlp threat.indicator.url.original "
    "threat.indicator.file.hash.sha256 threat.indicator.confidence threat.feed.name "
    "observer.name observer.type observer.vendor observer.product observer.hostname "
    "observer.version observer.serial_number observer.ingress.zone observer.egress.zone "
    "observer.ingress.interface.name observer.egress.interface.name "
    "organization.id organization.name agent.name agent.type agent.id agent.version "
    "service.name service.type log.level log.logger log.file.path log.syslog.hostname "
    "log.syslog.appname log.syslog.procid log.syslog.msgid log.syslog.facility.name "
    "log.syslog.severity.name error.code error.type error.id "
    "winlog.channel winlog.provider_name winlog.provider_guid winlog.event_id winlog.record_id "
    "winlog.computer_name winlog.task winlog.opcode winlog.keywords winlog.user.name "
    "winlog.user.domain winlog.user.identifier winlog.logon.type winlog.logon.id "
    "soc.zone soc.system_id soc.security_level soc.agency"
) + [f"{e}.{k}" for e in _ENDPOINTS for k in _names(_ENDPOINT_KEYWORDS)]

LONG_FIELDS = _names(
    "event.severity event.sequence event.duration network.bytes network.packets process.pid "
    "process.parent.pid process.exit_code file.size url.port http.request.bytes "
    "http.request.body.bytes http.response.status_code http.response.bytes "
    "http.response.body.bytes log.syslog.priority log.syslog.facility.code "
    "log.syslog.severity.code log.file.line"
) + [f"{e}.{k}" for e in _ENDPOINTS for k in ("port", "bytes", "packets", "as.number", "nat.port")]
IP_FIELDS = (
    _names("host.ip observer.ip threat.indicator.ip related.ip dns.resolved_ip")
    + [f"{e}.ip" for e in _ENDPOINTS]
    + [f"{e}.nat.ip" for e in _ENDPOINTS]
)
DATE_FIELDS = _names(
    "event.created event.ingested event.start event.end threat.indicator.first_seen "
    "threat.indicator.last_seen file.created file.mtime"
)
FLOAT_FIELDS = ["event.risk_score", "event.risk_score_norm"]
GEO_FIELDS = [f"{e}.geo.location" for e in _ENDPOINTS]
TEXT_FIELDS = ["message", "error.message", "error.stack_trace"]
# Windows event data varies per provider (hundreds of names): one field, no mapping explosion.
FLATTENED_FIELDS = ["winlog.event_data", "winlog.user_data"]


def _keyword() -> dict[str, Any]:
    return {"type": "keyword", "ignore_above": KEYWORD_LIMIT}


def field_mappings() -> dict[str, dict[str, Any]]:
    """Dotted ECS name → mapping of every explicitly mapped field."""
    fields: dict[str, dict[str, Any]] = {name: _keyword() for name in KEYWORD_FIELDS}
    fields.update({name: {"type": "long"} for name in LONG_FIELDS})
    fields.update({name: {"type": "float"} for name in FLOAT_FIELDS})
    fields.update({name: {"type": "ip"} for name in IP_FIELDS})
    fields.update({name: {"type": "date"} for name in DATE_FIELDS})
    fields.update({name: {"type": "geo_point"} for name in GEO_FIELDS})
    fields.update({name: {"type": "match_only_text"} for name in TEXT_FIELDS})
    fields.update(
        {name: {"type": "flattened", "ignore_above": KEYWORD_LIMIT} for name in FLATTENED_FIELDS}
    )
    # The event time decides the daily index and every range query: never silently dropped.
    fields["@timestamp"] = {"type": "date", "ignore_malformed": False}
    # Kept in _source for evidence, not indexed (ECS does the same).
    fields["event.original"] = {"type": "keyword", "index": False, "doc_values": False}
    return fields


def nest(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Dotted names → Elasticsearch ``properties`` tree (``a.b`` → a: {properties: {b: …}})."""
    root: dict[str, Any] = {}
    for dotted in sorted(fields):
        node = root
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {"properties": {}})["properties"]
        node[leaf] = fields[dotted]
    return root


def events_mappings() -> dict[str, Any]:
    return {
        "_meta": {"managed_by": MANAGED_BY, "schema_version": SCHEMA_VERSION},
        "dynamic": True,
        # A string that looks like a date in one event and not in the next would otherwise
        # make the second event unindexable.
        "date_detection": False,
        "dynamic_templates": [
            {"soc_fields": {"path_match": "soc.*", "mapping": _keyword()}},
            {"strings_as_keyword": {"match_mapping_type": "string", "mapping": _keyword()}},
        ],
        "properties": nest(field_mappings()),
    }


def dead_letter_mappings() -> dict[str, Any]:
    return {
        "_meta": {"managed_by": MANAGED_BY, "schema_version": SCHEMA_VERSION},
        "dynamic": False,
        "properties": {
            "@timestamp": {"type": "date"},
            "message": {"type": "match_only_text"},
            "dead_letter": {
                "properties": {
                    "source": _keyword(),
                    "source_type": _keyword(),
                    "offset": {"type": "long"},
                    "raw_base64": {"type": "binary"},
                    "raw_bytes": {"type": "long"},
                }
            },
        },
    }


@dataclass(frozen=True, slots=True)
class IndexLayout:
    """Names and sizing of the indices one deployment uses."""

    prefix: str = "logs-soc"
    retention_days: int = DEFAULT_RETENTION_DAYS
    shards: int = 1
    replicas: int = 1
    refresh_interval: str = "5s"

    def __post_init__(self) -> None:
        if not _PREFIX.fullmatch(self.prefix):
            raise ConfigError(
                f"invalid Elasticsearch index prefix {self.prefix!r}",
                hint="use lower-case letters, digits, '.', '_' or '-' (e.g. logs-soc)",
            )
        if not 1 <= self.retention_days <= 36_500:
            raise ConfigError(f"retention of {self.retention_days} days is out of range")
        if self.shards < 1 or self.replicas < 0:
            raise ConfigError("Elasticsearch needs at least one shard and no negative replicas")

    @classmethod
    def from_settings(cls, settings: ElasticsearchSettings) -> IndexLayout:
        # retention_days/shards/replicas are read when the settings carry them (proposed keys).
        return cls(
            prefix=settings.data_stream_prefix,
            retention_days=int(getattr(settings, "retention_days", DEFAULT_RETENTION_DAYS)),
            shards=int(getattr(settings, "number_of_shards", 1)),
            replicas=int(getattr(settings, "number_of_replicas", 1)),
        )

    @property
    def events_pattern(self) -> str:
        return f"{self.prefix}-events-*"

    @property
    def events_template(self) -> str:
        return f"{self.prefix}-events"

    @property
    def policy_name(self) -> str:
        return f"{self.prefix}-events"

    @property
    def dead_letter_index(self) -> str:
        return f"{self.prefix}-deadletter"

    def events_index(self, moment: datetime) -> str:
        """Daily index of an event, from its own time (UTC): a replay always lands in it again."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return f"{self.prefix}-events-{moment.astimezone(UTC):%Y.%m.%d}"

    def ilm_policy(self) -> dict[str, Any]:
        # ILM ages a daily index from the date in its name (parse_origination_date); the index
        # for day D also holds D's last second, so delete one day later to keep every event
        # at least ``retention_days``.
        return {
            "_meta": {
                "managed_by": MANAGED_BY,
                "schema_version": SCHEMA_VERSION,
                "retention_days": self.retention_days,
            },
            "phases": {
                "hot": {"min_age": "0ms", "actions": {"set_priority": {"priority": 100}}},
                "delete": {
                    "min_age": f"{self.retention_days + 1}d",
                    "actions": {"delete": {}},
                },
            },
        }

    def events_settings(self) -> dict[str, Any]:
        return {
            "index.number_of_shards": self.shards,
            "index.number_of_replicas": self.replicas,
            "index.refresh_interval": self.refresh_interval,
            "index.codec": "best_compression",
            "index.lifecycle.name": self.policy_name,
            "index.lifecycle.parse_origination_date": True,
            # A bad value in one field (an "IP" that is not one) keeps the event, flags the
            # field in _ignored, instead of rejecting the whole event.
            "index.mapping.ignore_malformed": True,
            "index.mapping.total_fields.limit": TOTAL_FIELDS_LIMIT,
            "index.mapping.total_fields.ignore_dynamic_beyond_limit": True,
        }

    def events_template_body(self) -> dict[str, Any]:
        """Keyword arguments of ``indices.put_index_template`` for the daily event indices."""
        return {
            "name": self.events_template,
            "index_patterns": [self.events_pattern],
            "priority": TEMPLATE_PRIORITY,
            "version": SCHEMA_VERSION,
            "meta": {"managed_by": MANAGED_BY, "retention_days": self.retention_days},
            "template": {"settings": self.events_settings(), "mappings": events_mappings()},
        }

    def dead_letter_template_body(self) -> dict[str, Any]:
        return {
            "name": self.dead_letter_index,
            "index_patterns": [self.dead_letter_index],
            "priority": TEMPLATE_PRIORITY,
            "version": SCHEMA_VERSION,
            "meta": {"managed_by": MANAGED_BY},
            "template": {
                "settings": {
                    "index.number_of_shards": 1,
                    "index.number_of_replicas": self.replicas,
                    "index.codec": "best_compression",
                },
                "mappings": dead_letter_mappings(),
            },
        }
