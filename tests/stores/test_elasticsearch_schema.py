"""The Elasticsearch layout: ECS index template, ILM retention, daily index names."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from soc.config import ElasticsearchSettings
from soc.errors import ConfigError
from soc.stores import es_schema
from soc.stores.es_schema import IndexLayout, events_mappings, field_mappings, nest
from soc.stores.sqlite import COLUMNS

# The pattern Elasticsearch's ILM uses to read the origination date from an index name
# (IndexLifecycleOriginationDateParser): a name that does not match fails index creation.
ILM_NAME_DATE = re.compile(r"^.*-(\d{4}.\d{2}.\d{2})(-[\d]+)?$")


def mapped(props: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: dict[str, Any] = {"properties": props}
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def test_platform_fields_have_their_ecs_types() -> None:
    props = events_mappings()["properties"]
    expected = {
        "@timestamp": "date",
        "event.dataset": "keyword",
        "event.kind": "keyword",
        "event.severity": "long",
        "source.ip": "ip",
        "destination.ip": "ip",
        "source.port": "long",
        "destination.port": "long",
        "rule.name": "keyword",
        "threat.technique.id": "keyword",
        "soc.zone": "keyword",
        "message": "match_only_text",
        "winlog.event_data": "flattened",
        "source.geo.location": "geo_point",
        "event.created": "date",
    }
    assert {name: mapped(props, name)["type"] for name in expected} == expected
    assert mapped(props, "event.original")["index"] is False
    assert mapped(props, "@timestamp")["ignore_malformed"] is False


def test_fields_the_embedded_store_filters_on_are_mapped_explicitly() -> None:
    fields = field_mappings()
    assert [name for name in COLUMNS if name not in fields] == []


def test_every_field_has_one_type_and_no_leaf_is_also_an_object() -> None:
    lists = [
        es_schema.KEYWORD_FIELDS,
        es_schema.LONG_FIELDS,
        es_schema.FLOAT_FIELDS,
        es_schema.IP_FIELDS,
        es_schema.DATE_FIELDS,
        es_schema.GEO_FIELDS,
        es_schema.TEXT_FIELDS,
        es_schema.FLATTENED_FIELDS,
    ]
    names = Counter(name for names in lists for name in names)
    assert [n for n, c in names.items() if c > 1] == []
    nest(field_mappings())  # raises KeyError/TypeError if a.b is both a leaf and a parent


def test_nest_builds_properties_and_detects_conflicts() -> None:
    tree = nest({"a.b": {"type": "ip"}, "a.c.d": {"type": "long"}, "e": {"type": "date"}})
    assert tree == {
        "a": {"properties": {"b": {"type": "ip"}, "c": {"properties": {"d": {"type": "long"}}}}},
        "e": {"type": "date"},
    }
    with pytest.raises(KeyError):
        nest({"a": {"type": "keyword"}, "a.b": {"type": "keyword"}})


def test_unknown_fields_map_to_keyword_and_soc_fields_always_do() -> None:
    mappings = events_mappings()
    dynamic = {name: spec for t in mappings["dynamic_templates"] for name, spec in t.items()}
    assert dynamic["soc_fields"]["path_match"] == "soc.*"
    assert dynamic["soc_fields"]["mapping"]["type"] == "keyword"
    assert dynamic["strings_as_keyword"]["match_mapping_type"] == "string"
    assert mappings["date_detection"] is False
    # the soc.* rule comes first: a number under soc.* is still a keyword
    assert list(mappings["dynamic_templates"][0]) == ["soc_fields"]


def test_events_template_overrides_the_built_in_logs_data_stream_template() -> None:
    body = IndexLayout().events_template_body()
    assert body["index_patterns"] == ["logs-soc-events-*"]
    assert body["priority"] > 500  # built-in logs-*-* is 100, Fleet's up to 500
    assert "data_stream" not in body  # plain daily indices: a replay lands in the same index
    settings = body["template"]["settings"]
    assert settings["index.lifecycle.name"] == "logs-soc-events"
    assert settings["index.lifecycle.parse_origination_date"] is True
    assert settings["index.mapping.ignore_malformed"] is True
    assert settings["index.number_of_shards"] == 1


def test_daily_index_names_carry_the_event_date_in_utc() -> None:
    layout = IndexLayout(prefix="logs-danang")
    hanoi = timezone(timedelta(hours=7))
    assert layout.events_index(datetime(2026, 11, 14, 3, 0, tzinfo=hanoi)) == (
        "logs-danang-events-2026.11.13"
    )
    assert layout.events_index(datetime(2026, 11, 14, 7, 0, tzinfo=hanoi)) == (
        "logs-danang-events-2026.11.14"
    )
    assert layout.events_index(datetime(2026, 1, 2)) == "logs-danang-events-2026.01.02"  # naive
    name = layout.events_index(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    match = ILM_NAME_DATE.match(name)
    assert match and match.group(1) == "2026.12.31"


def test_ilm_policy_deletes_after_the_retention_plus_the_index_day() -> None:
    policy = IndexLayout(retention_days=90).ilm_policy()
    assert policy["phases"]["delete"] == {"min_age": "91d", "actions": {"delete": {}}}
    assert policy["phases"]["hot"]["min_age"] == "0ms"
    assert policy["_meta"]["retention_days"] == 90


def test_dead_letter_index_has_its_own_template() -> None:
    layout = IndexLayout()
    body = layout.dead_letter_template_body()
    assert layout.dead_letter_index == "logs-soc-deadletter"
    assert body["index_patterns"] == ["logs-soc-deadletter"]
    assert body["priority"] > 500
    props = body["template"]["mappings"]["properties"]
    assert props["dead_letter"]["properties"]["raw_base64"]["type"] == "binary"
    assert not ILM_NAME_DATE.match(layout.dead_letter_index)  # never aged out by date


@pytest.mark.parametrize(
    "prefix", ["Logs-SOC", "logs soc", "-logs", "logs/soc", "", "logs*", "logs-soc\n"]
)
def test_invalid_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ConfigError, match="prefix"):
        IndexLayout(prefix=prefix)


@pytest.mark.parametrize("kwargs", [{"retention_days": 0}, {"shards": 0}, {"replicas": -1}])
def test_invalid_sizing_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        IndexLayout(**kwargs)


def test_layout_from_settings_uses_the_configured_prefix() -> None:
    layout = IndexLayout.from_settings(ElasticsearchSettings(data_stream_prefix="logs-hue"))
    assert layout.events_pattern == "logs-hue-events-*"
    assert layout.retention_days == es_schema.DEFAULT_RETENTION_DAYS
