"""Test adapter: evtx_dump-style JSON records → our Winlogbeat-like ECS events.

Used by the regression and benchmark tests until the collectors' Windows parser lands; it
produces the agreed shape (``winlog.event_data.<Name>``, ``winlog.event_id`` as int, …).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from soc.ecs import event_id, normalise_timestamp

DATASETS = {
    "microsoft-windows-sysmon/operational": "windows.sysmon",
    "security": "windows.security",
    "system": "windows.system",
    "microsoft-windows-powershell/operational": "windows.powershell",
    "windows powershell": "windows.powershell",
    "powershellcore/operational": "windows.powershell",
}


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("#text")
    return value


def _int(value: Any) -> int | None:
    try:
        return int(_text(value))
    except (TypeError, ValueError):
        return None


def _event_data(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    data = {k: v for k, v in raw.items() if k not in ("#attributes", "Data")}
    unnamed = raw.get("Data")
    if isinstance(unnamed, dict):
        unnamed = unnamed.get("#text")
    if unnamed is not None:
        items = unnamed if isinstance(unnamed, list) else [unnamed]
        for i, item in enumerate(items, 1):
            data[f"param{i}"] = item
        data["Data"] = items if len(items) > 1 else items[0]
    return data


def _user_data(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Any] = {}
    for child in raw.values():
        if isinstance(child, dict):
            out.update({k: v for k, v in child.items() if k != "#attributes"})
    return out


def ecs_event(record: dict[str, Any], source: str, offset: int = 0) -> dict[str, Any]:
    event = record.get("Event", record)
    system = event.get("System") or {}
    channel = str(system.get("Channel") or "")
    provider = ((system.get("Provider") or {}).get("#attributes") or {}).get("Name")
    when = ((system.get("TimeCreated") or {}).get("#attributes") or {}).get("SystemTime")
    eid = _int(system.get("EventID"))
    record_id = _int(system.get("EventRecordID"))
    winlog: dict[str, Any] = {
        "channel": channel,
        "event_id": eid,
        "provider_name": provider,
        "record_id": record_id,
        "computer_name": system.get("Computer"),
        "event_data": _event_data(event.get("EventData")),
    }
    user_data = _user_data(event.get("UserData"))
    if user_data:
        winlog["user_data"] = user_data
    raw = json.dumps(record, sort_keys=True).encode()
    return {
        "@timestamp": normalise_timestamp(when) if when else "1970-01-01T00:00:00.000000Z",
        "event": {
            "id": event_id(source, raw, offset),
            "dataset": DATASETS.get(channel.lower(), "windows.eventlog"),
            "code": str(eid),
            "kind": "event",
        },
        "host": {"name": system.get("Computer")},
        "log": {"file": {"path": source}},
        "winlog": winlog,
    }


def events_from_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if line.strip():
                yield ecs_event(json.loads(line), str(path), n)


def events_from_json(path: Path) -> list[dict[str, Any]]:
    """A regression-case .json: one record, or several concatenated/listed."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    out, pos = [], 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        obj, pos = decoder.raw_decode(text, pos)
        for item in obj if isinstance(obj, list) else [obj]:
            out.append(ecs_event(item, str(path), len(out)))
    return out


def events_from_evtx(path: Path) -> list[dict[str, Any]]:
    """Read an .evtx with the ``evtx`` package (Rust) — the same rendering the JSONL files have."""
    from evtx import PyEvtxParser

    parser = PyEvtxParser(str(path))
    return [
        ecs_event(json.loads(rec["data"]), str(path), int(rec["event_record_id"]))
        for rec in parser.records_json()
    ]
