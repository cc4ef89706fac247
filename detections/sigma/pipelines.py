"""pySigma processing pipelines that map Sigma rules onto our ECS events, per log-source family.

Windows reuses pySigma's own pipelines (Sysmon EventIDs, Security 4688 audit, channel per
service) and then moves Sigma's Windows field names under ``winlog.*``; the other families
rename fields with the mappings of ``logsources.yml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from sigma.pipelines.sysmon.sysmon import sysmon_pipeline
from sigma.pipelines.windows.windows import windows_audit_pipeline, windows_logsource_pipeline
from sigma.processing.conditions import LogsourceCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    FieldFunctionTransformation,
    WildcardPlaceholderTransformation,
)

from detections.sigma.routing import Route, RoutingTable

# Bump when a mapping or the compiled form changes: it is part of every cache key.
PIPELINE_VERSION = f"soc-4/pysigma-{version('pysigma')}"

# Sigma's Windows names that are not event data but the record's system part.
WINLOG_SYSTEM_FIELDS = {
    "EventID": "winlog.event_id",
    "Channel": "winlog.channel",
    "Provider_Name": "winlog.provider_name",
    "Computer": "winlog.computer_name",
    "EventRecordID": "winlog.record_id",
    "Keywords": "winlog.keywords",
    "Task": "winlog.task",
    "Opcode": "winlog.opcode",
    "Level": "winlog.level",
}
EVENT_DATA = "winlog.event_data."

# Generic categories pySigma's audit pipeline can express as Security events (4688, 4657).
AUDIT_CATEGORIES = frozenset({"process_creation", "registry_event", "registry_set", "registry_add"})


def winlog_field(name: str | None) -> str:
    """Sigma Windows field → ECS path of our Winlogbeat-like events."""
    if name is None:
        return ""
    if "." in name:
        return name
    return WINLOG_SYSTEM_FIELDS.get(name, EVENT_DATA + name)


def _rename_item(func: Callable[[str | None], str], ident: str) -> ProcessingItem:
    return ProcessingItem(
        identifier=ident,
        transformation=FieldFunctionTransformation(mapping={}, transform_func=func),
    )


def _placeholders() -> ProcessingItem:
    # Placeholders (%Admins_Workstations%…) with no site value match anything, like other tools.
    return ProcessingItem(
        identifier="soc_placeholders_wildcard",
        transformation=WildcardPlaceholderTransformation(),
    )


def windows_ecs_pipeline() -> ProcessingPipeline:
    """Sigma Windows field names → ``winlog.*`` paths (applied after the channel pipelines)."""
    return ProcessingPipeline(
        name="soc: Windows fields to winlog.*",
        priority=60,
        items=[
            ProcessingItem(
                identifier="soc_winlog_fields",
                transformation=FieldFunctionTransformation(mapping={}, transform_func=winlog_field),
                rule_conditions=[LogsourceCondition(product="windows")],
            ),
            ProcessingItem(
                identifier="soc_winlog_fields_antivirus",
                transformation=FieldFunctionTransformation(mapping={}, transform_func=winlog_field),
                rule_conditions=[LogsourceCondition(category="antivirus")],
            ),
            _placeholders(),
        ],
    )


@dataclass(frozen=True)
class Variant:
    """One way of running a rule: its name, the pipeline and the datasets it watches."""

    name: str
    pipeline: ProcessingPipeline
    datasets: tuple[str, ...]


def windows_variants(
    category: str | None, *, audit: bool = True
) -> list[tuple[str, Callable[[], ProcessingPipeline]]]:
    """Sysmon (EventID per category) always; Security 4688/4657 too for audit categories."""
    out: list[tuple[str, Callable[[], ProcessingPipeline]]] = [
        (
            "sysmon",
            lambda: sysmon_pipeline() + windows_logsource_pipeline() + windows_ecs_pipeline(),
        )
    ]
    if audit and category in AUDIT_CATEGORIES:
        out.append(
            (
                "security",
                lambda: (
                    windows_audit_pipeline() + windows_logsource_pipeline() + windows_ecs_pipeline()
                ),
            )
        )
    return out


def mapped_pipeline(route: Route, table: RoutingTable) -> ProcessingPipeline:
    """Field renaming of a non-Windows family (names with a dot are kept: already ECS)."""
    field_map = table.field_map(route.mapping)

    def rename(name: str | None) -> str:
        return field_map.ecs(name) if name is not None else ""

    return ProcessingPipeline(
        name=f"soc: {route.mapping} fields to ECS",
        priority=60,
        items=[_rename_item(rename, f"soc_{route.mapping}_fields"), _placeholders()],
    )


def variants_for(
    route: Route, logsource: dict[str, str | None], table: RoutingTable, *, audit: bool = True
) -> list[Variant]:
    """Every (pipeline, datasets) a rule of this logsource runs as."""
    datasets = route.datasets_for(logsource)
    if route.windows:
        return [
            Variant(name, build(), datasets)
            for name, build in windows_variants(logsource.get("category"), audit=audit)
        ]
    return [Variant("ecs", mapped_pipeline(route, table), datasets)]
