"""Inventory and evidence files: YAML (every key's line remembered) and CSV read into the records
with each problem reported at its file and line, and written back."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from soc.errors import ContentError
from soc.inventory.model import (
    MAX_FILE_BYTES,
    MAX_RECORDS,
    AgencyRecord,
    EvidenceFile,
    EvidenceRecord,
    ExchangeRecord,
    Inventory,
    InventoryErrors,
    SystemRecord,
    link_fields,
)

# -- reading files with line numbers ------------------------------------------------------------

Loc = tuple[str | int, ...]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader that remembers the line of every mapping key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        mapping["__lines__"] = (node.start_mark.line + 1, lines)
        return mapping

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date that looks like one but does not exist (2026-02-30) is an error at its line,
        not a ValueError from deep inside the YAML library."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as e:
            raise _InvalidDate(
                None, None, f"invalid date {node.value!r}: {e}", node.start_mark
            ) from e


class _InvalidDate(yaml.constructor.ConstructorError):
    pass


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_checked_timestamp)


def _strip_lines(value: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    if isinstance(value, dict):
        start, keys = value.pop("__lines__", (None, {}))
        if start:
            lines[loc] = start
        out = {}
        for key, item in value.items():
            if key in keys:
                lines[(*loc, key)] = keys[key]
            out[key] = _strip_lines(item, (*loc, key), lines)
        return out
    if isinstance(value, list):
        return [_strip_lines(item, (*loc, i), lines) for i, item in enumerate(value)]
    return value


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest part of ``loc`` that has one (a key, else its mapping)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def read_text(path: Path) -> str:
    """A UTF-8 file of bounded size, or a ContentError saying why not."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(f"file larger than {MAX_FILE_BYTES} bytes", source=path)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ContentError("file not found", source=path) from e
    except UnicodeDecodeError as e:
        raise ContentError("not UTF-8 text", source=path, hint="save the file as UTF-8") from e


def read_yaml_lines(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML safely; also return the line of every mapping and key by its path."""
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as e:
        raise _yaml_error(e, source) from e
    lines: dict[Loc, int] = {}
    return _strip_lines(raw, (), lines), lines


def _yaml_error(error: yaml.YAMLError, source: str) -> ContentError:
    """One line at the problem's line: the library's own message spans several, with a
    caret drawing under a copy of the line."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    text = " ".join((f"{problem} ({context})" if context else problem).split())
    if isinstance(error, _InvalidDate):
        return ContentError(text, source=source, line=line)
    if mark is not None:
        text += f", column {mark.column + 1}"
    return ContentError(f"not valid YAML: {text}", source=source, line=line)


M = TypeVar("M", bound=BaseModel)


def _validate_items(
    model: type[M],
    items: Any,
    section: str,
    source: str,
    lines: Mapping[Loc, int],
    errors: list[ContentError],
) -> list[tuple[M, int | None]]:
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append(ContentError(f"'{section}' must be a list", source=source))
        return []
    if len(items) > MAX_RECORDS:
        errors.append(ContentError(f"more than {MAX_RECORDS} {section}", source=source))
        return []
    out: list[tuple[M, int | None]] = []
    for i, item in enumerate(items):
        try:
            out.append((model.model_validate(item), line_of(lines, (section, i))))
        except ValidationError as e:
            errors.extend(_explain(e, (section, i), source, lines))
    return out


def _explain(
    error: ValidationError, prefix: Loc, source: str, lines: Mapping[Loc, int]
) -> list[ContentError]:
    found = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        field = ".".join(str(p) for p in item["loc"]) or "(record)"
        hint = "remove or rename the key" if item["type"] == "extra_forbidden" else None
        message = f"{prefix[0]}[{prefix[1]}].{field}: {item['msg']}"
        found.append(ContentError(message, source=source, line=line_of(lines, loc), hint=hint))
    return found


def _sections(raw: Any, source: str, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContentError("the file must be a mapping of sections", source=source, line=1)
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ContentError(
            f"unknown section {unknown[0]!r}", source=source, hint=f"use {sorted(allowed)}"
        )
    return raw


# -- CSV ----------------------------------------------------------------------------------------

SYSTEM_LISTS = ("ip_ranges", "hostnames", "urls", "log_sources")
CLASS_PREFIX = "class."


def _csv_value(name: str, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    list_fields = (*SYSTEM_LISTS, "class.information_types", "class.functions", "internet_links")
    if name in list_fields:
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def _csv_links(items: list[str]) -> list[dict[str, str]]:
    """A cell's links, ``id | provider | IDS sensor`` each; an unreadable one is kept as text so
    the model's validation names it with its line."""
    return [link_fields(item) or {"id": item} for item in items]


def _csv_row(row: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    record: dict[str, Any] = {}
    klass: dict[str, Any] = {}
    for name, text in row.items():
        value = _csv_value(name, text or "")
        if value is None or name == "record":
            continue
        if name.startswith(CLASS_PREFIX):
            klass[name[len(CLASS_PREFIX) :]] = value
        elif name == "internet_links":
            record[name] = _csv_links(value)
        else:
            record[name] = value
    kind = (row.get("record") or "").strip()
    if kind == "system":
        record["classification"] = klass
    return kind, record


def _read_csv(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, int]]:
    sections: dict[str, list[Any]] = {"agencies": [], "systems": []}
    lines: dict[Loc, int] = {}
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "record" not in reader.fieldnames:
        raise ContentError("CSV needs a 'record' column (agency|system)", source=source, line=1)
    for row in reader:
        kind, record = _csv_row(row)
        section = {"agency": "agencies", "system": "systems"}.get(kind)
        if section is None:
            raise ContentError(
                f"record must be 'agency' or 'system', not {kind!r}",
                source=source,
                line=reader.line_num,
            )
        lines[(section, len(sections[section]))] = reader.line_num
        sections[section].append(record)
    return sections, lines


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


# -- loading ------------------------------------------------------------------------------------


def _duplicates(
    records: Sequence[tuple[_Identified, int | None]], what: str, source: str
) -> tuple[set[str], list[ContentError]]:
    """The ids of ``records``, and an error at the line of each id seen before."""
    ids: set[str] = set()
    errors: list[ContentError] = []
    for record, line in records:
        if record.id in ids:
            errors.append(
                ContentError(f"duplicate {what} id {record.id!r}", source=source, line=line)
            )
        ids.add(record.id)
    return ids, errors


def _check_references(
    agencies: list[tuple[AgencyRecord, int | None]],
    systems: list[tuple[SystemRecord, int | None]],
    source: str,
) -> list[ContentError]:
    ids, errors = _duplicates(agencies, "agency", source)
    parents = {a.id: a.parent for a, _ in agencies}
    for agency, line in agencies:
        if agency.parent and agency.parent not in ids:
            errors.append(
                ContentError(f"unknown parent {agency.parent!r}", source=source, line=line)
            )
        seen, node = {agency.id}, agency.parent
        while node is not None and parents.get(node):
            node = parents[node]
            if node is None or node in seen:
                errors.append(ContentError("agency parents form a cycle", source=source, line=line))
                break
            seen.add(node)
    errors.extend(_duplicates(systems, "system", source)[1])
    for system, line in systems:
        for who in (system.owner, system.operator):
            if who and who not in ids:
                errors.append(ContentError(f"unknown agency {who!r}", source=source, line=line))
    return errors


def load_inventory(path: Path) -> Inventory:
    """Read a YAML or CSV inventory; raise InventoryErrors listing every problem found."""
    fmt: Literal["yaml", "csv"] = "csv" if path.suffix.lower() == ".csv" else "yaml"
    return parse_inventory(read_text(path), str(path), fmt)


def parse_inventory(text: str, source: str, fmt: Literal["yaml", "csv"]) -> Inventory:
    """``load_inventory`` for text already in memory (an upload): the same checks and errors."""
    if fmt == "csv":
        raw, lines = _read_csv(text, source)
    else:
        raw, lines = read_yaml_lines(text, source)
        raw = _sections(raw, source, {"agencies", "systems"})
    errors: list[ContentError] = []
    agencies = _validate_items(AgencyRecord, raw.get("agencies"), "agencies", source, lines, errors)
    systems = _validate_items(SystemRecord, raw.get("systems"), "systems", source, lines, errors)
    errors.extend(_check_references(agencies, systems, source))
    if errors:
        raise InventoryErrors(errors, source)
    return Inventory(agencies=[a for a, _ in agencies], systems=[s for s, _ in systems])


def load_evidence(path: Path) -> tuple[EvidenceFile, dict[str, int | None]]:
    """Read an evidence YAML file; returns the records and the line of each evidence id."""
    return parse_evidence(read_text(path), str(path), "yaml")


def parse_evidence(
    text: str, source: str, fmt: Literal["yaml", "csv"]
) -> tuple[EvidenceFile, dict[str, int | None]]:
    """``load_evidence`` for text in memory; CSV holds evidence records only (no exchanges)."""
    if fmt == "csv":
        raw, lines = _read_evidence_csv(text, source)
    else:
        raw, lines = read_yaml_lines(text, source)
        raw = _sections(raw, source, {"evidence", "exchanges"})
    errors: list[ContentError] = []
    evidence = _validate_items(
        EvidenceRecord, raw.get("evidence"), "evidence", source, lines, errors
    )
    exchanges = _validate_items(
        ExchangeRecord, raw.get("exchanges"), "exchanges", source, lines, errors
    )
    errors.extend(_duplicates(evidence, "evidence", source)[1])
    if errors:
        raise InventoryErrors(errors, source)
    found = EvidenceFile(evidence=[r for r, _ in evidence], exchanges=[x for x, _ in exchanges])
    return found, {r.id: line for r, line in evidence}


def dump_inventory(inventory: Inventory, fmt: Literal["yaml", "csv"]) -> str:
    if fmt == "yaml":
        data = inventory.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return _dump_csv(inventory)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _dump_csv(inventory: Inventory) -> str:
    rows: list[dict[str, str]] = []
    for agency in inventory.agencies:
        row = {k: _cell(v) for k, v in agency.model_dump(mode="json").items()}
        rows.append({"record": "agency", **row})
    for system in inventory.systems:
        data = system.model_dump(mode="json")
        klass = data.pop("classification")
        del data["internet_links"]
        row = {k: _cell(v) for k, v in data.items()}
        row["internet_links"] = ";".join(link.as_text() for link in system.internet_links)
        row.update({f"{CLASS_PREFIX}{k}": _cell(v) for k, v in klass.items()})
        rows.append({"record": "system", **row})
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def dump_evidence(found: EvidenceFile) -> str:
    data = found.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# -- evidence as CSV: one row per record, ``details.<key>`` columns for the details -------------

EVIDENCE_COLUMNS = (
    "id", "kind", "system", "agency", "title", "issued_on", "expires_on", "assessor", "provider",
    "reference",
)  # fmt: skip
DETAILS_PREFIX = "details."


def _detail_value(text: str) -> Any:
    # A cell is a YAML scalar or flow value, so "6", "true" and "[a, b]" keep their types.
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist (2026-02-30)
        return text


def _read_evidence_csv(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, int]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise ContentError("CSV needs an 'id' column", source=source, line=1)
    records: list[dict[str, Any]] = []
    lines: dict[Loc, int] = {}
    for row in reader:
        record: dict[str, Any] = {}
        details: dict[str, Any] = {}
        for name, cell in row.items():
            if name is None:  # more cells than columns
                raise ContentError("more cells than columns", source=source, line=reader.line_num)
            value = (cell or "").strip() if isinstance(cell, str) else ""
            if value == "":
                continue
            if name.startswith(DETAILS_PREFIX):
                details[name[len(DETAILS_PREFIX) :]] = _detail_value(value)
            else:
                record[name] = value
        if details:
            record["details"] = details
        lines[("evidence", len(records))] = reader.line_num
        records.append(record)
    return {"evidence": records}, lines


def _detail_cell(value: Any) -> str:
    if isinstance(value, str) and _detail_value(value) == value:
        return value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.strip().removesuffix("...").strip()  # a lone scalar ends its document with '...'


def dump_evidence_csv(found: EvidenceFile) -> str:
    """Evidence records as CSV (exchanges are written by ``dump_evidence`` only)."""
    keys = sorted({k for r in found.evidence for k in r.details})
    columns = [*EVIDENCE_COLUMNS, *(f"{DETAILS_PREFIX}{k}" for k in keys)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in found.evidence:
        data = record.model_dump(mode="json")
        row = {c: _cell(data.get(c)) for c in EVIDENCE_COLUMNS}
        row.update({f"{DETAILS_PREFIX}{k}": _detail_cell(v) for k, v in data["details"].items()})
        writer.writerow(row)
    return out.getvalue()
