"""Windows events as JSON: evtx_dump, Winlogbeat, NXLog/Mordor (flat) and Azure Log Analytics."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from collectors.base import Parser, RawRecord
from collectors.envelope import new_event, to_int
from collectors.suricata_eve import load_json_object
from collectors.windows import WindowsEvent, fill_event
from soc.ecs import Event
from soc.errors import ParseError

# Keys of the flat layouts (NXLog im_msvistalog, Mordor/OTRF) that describe the record itself;
# every other key is event data. Case matters: NXLog's "ProcessID" is the logging process,
# Sysmon's and Security's "ProcessId" is event data.
_FLAT_SYSTEM = frozenset(
    [
        "EventID",
        "EventId",
        "SourceName",
        "ProviderName",
        "Hostname",
        "Computer",
        "Channel",
        "TimeCreated",
        "EventTime",
        "EventReceivedTime",
        "@timestamp",
        "@version",
        "RecordNumber",
        "EventRecordID",
        "Task",
        "Level",
        "Keywords",
        "Opcode",
        "OpcodeValue",
        "Version",
        "ProviderGuid",
        "ProcessID",
        "ThreadID",
        "ExecutionProcessID",
        "ExecutionThreadID",
        "Message",
        "Severity",
        "SeverityValue",
        "EventType",
        "SourceModuleName",
        "SourceModuleType",
        "Category",
        "UserID",
        "AccountType",
        "host",
        "port",
        "tags",
        "type",
        "beat",
        "log_name",
        "source_name",
        "event_id",
        "computer_name",
        "record_number",
        "ERROR_EVT_UNRESOLVED",
    ]
)


_XML_DATA = re.compile(r'<Data Name="([^"]{1,128})">([^<]*)</Data>')


def _attr(node: Any, name: str) -> Any:
    if isinstance(node, Mapping):
        attributes = node.get("#attributes")
        if isinstance(attributes, Mapping):
            return attributes.get(name)
    return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("#text")
    return None if value is None else str(value)


def _event_data(node: Any) -> dict[str, Any]:
    """EventData as ``{Name: value}``; unnamed ``Data`` items become ``param1…``."""
    if not isinstance(node, Mapping):
        return {}
    data = {k: v for k, v in node.items() if k != "#attributes"}
    unnamed = data.pop("Data", None)
    if unnamed is not None:
        items = unnamed if isinstance(unnamed, list) else [unnamed]
        for index, item in enumerate(items, 1):
            data[f"param{index}"] = _str(item) if isinstance(item, Mapping) else item
    text = data.pop("#text", None)
    if text is not None and not data:
        items = text if isinstance(text, list) else [text]
        data = {f"param{i}": v for i, v in enumerate(items, 1)}
    return data


def from_evtx_dump(doc: Mapping[str, Any]) -> WindowsEvent:
    event = doc["Event"]
    system = event.get("System") if isinstance(event, Mapping) else None
    if not isinstance(system, Mapping):
        raise ParseError("evtx JSON without Event.System")
    event_id = to_int(_str(system.get("EventID")))
    if event_id is None:
        raise ParseError("evtx JSON without a numeric EventID")
    provider = system.get("Provider")
    execution = system.get("Execution")
    user_data = event.get("UserData")
    if isinstance(user_data, Mapping) and len(user_data) == 1:
        user_data = next(iter(user_data.values()))
    return WindowsEvent(
        event_id=event_id,
        channel=_str(system.get("Channel")) or "",
        provider_name=_attr(provider, "Name") or "",
        provider_guid=_attr(provider, "Guid"),
        computer_name=_str(system.get("Computer")) or "",
        timestamp=_str(_attr(system.get("TimeCreated"), "SystemTime")),
        record_id=to_int(system.get("EventRecordID")),
        level=to_int(system.get("Level")),
        task=_str(system.get("Task")),
        opcode=_str(system.get("Opcode")),
        keywords=_str(system.get("Keywords")),
        version=to_int(system.get("Version")),
        process_id=to_int(_attr(execution, "ProcessID")),
        thread_id=to_int(_attr(execution, "ThreadID")),
        user_sid=_attr(system.get("Security"), "UserID"),
        event_data=_event_data(event.get("EventData")),
        user_data={k: v for k, v in (user_data or {}).items() if k != "#attributes"}
        if isinstance(user_data, Mapping)
        else {},
    )


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParseError(f"{what} must be an object")
    return value


def from_winlogbeat(doc: Mapping[str, Any]) -> WindowsEvent:
    winlog = doc["winlog"]
    event_id = to_int(winlog.get("event_id"))
    if event_id is None:
        raise ParseError("Winlogbeat JSON without winlog.event_id")
    process = _mapping(winlog.get("process"), "winlog.process")
    host = _mapping(doc.get("host"), "host")
    keywords = winlog.get("keywords")
    return WindowsEvent(
        event_id=event_id,
        channel=str(winlog.get("channel") or ""),
        provider_name=str(winlog.get("provider_name") or ""),
        provider_guid=winlog.get("provider_guid"),
        computer_name=str(winlog.get("computer_name") or host.get("name") or ""),
        timestamp=_str(doc.get("@timestamp")),
        record_id=to_int(winlog.get("record_id")),
        task=_str(winlog.get("task")),
        opcode=_str(winlog.get("opcode")),
        keywords=", ".join(map(str, keywords)) if isinstance(keywords, list) else None,
        version=to_int(winlog.get("version")),
        process_id=to_int(process.get("pid")),
        thread_id=to_int(_mapping(process.get("thread"), "winlog.process.thread").get("id")),
        user_sid=_str(_mapping(winlog.get("user"), "winlog.user").get("identifier")),
        message=_str(doc.get("message")),
        event_data=dict(_mapping(winlog.get("event_data"), "winlog.event_data")),
        user_data=dict(_mapping(winlog.get("user_data"), "winlog.user_data")),
    )


def from_flat(doc: Mapping[str, Any]) -> WindowsEvent:
    event_id = to_int(doc.get("EventID", doc.get("EventId")))
    if event_id is None:
        raise ParseError("flat Windows JSON without a numeric EventID")
    stamp = doc.get("TimeCreated") or doc.get("@timestamp") or doc.get("EventTime")
    return WindowsEvent(
        event_id=event_id,
        channel=str(doc.get("Channel") or ""),
        provider_name=str(doc.get("SourceName") or doc.get("ProviderName") or ""),
        provider_guid=_str(doc.get("ProviderGuid")),
        computer_name=str(doc.get("Hostname") or doc.get("Computer") or ""),
        timestamp=str(stamp).replace(" ", "T", 1) if stamp else None,
        record_id=to_int(doc.get("RecordNumber", doc.get("EventRecordID"))),
        level=to_int(doc.get("Level")),
        task=_str(doc.get("Task")),
        opcode=_str(doc.get("OpcodeValue", doc.get("Opcode"))),
        keywords=_str(doc.get("Keywords")),
        version=to_int(doc.get("Version")),
        process_id=to_int(doc.get("ProcessID", doc.get("ExecutionProcessID"))),
        thread_id=to_int(doc.get("ThreadID", doc.get("ExecutionThreadID"))),
        user_sid=_str(doc.get("UserID")),
        message=_str(doc.get("Message")),
        event_data={k: v for k, v in doc.items() if k not in _FLAT_SYSTEM},
    )


def _log_analytics_data(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str) or not value.strip():
        return {}
    if value.lstrip().startswith("{"):
        try:
            decoded = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {"param1": value}
        return dict(decoded) if isinstance(decoded, dict) else {"param1": value}
    named = {k: html.unescape(v) for k, v in _XML_DATA.findall(value)}
    return named or {"param1": value}


def from_log_analytics(doc: Mapping[str, Any]) -> WindowsEvent:
    """Azure Monitor / Sentinel tables (SecurityEvent, WindowsEvent, Event) as exported JSON."""
    event_id = to_int(doc.get("EventID"))
    if event_id is None:
        raise ParseError("Log Analytics Windows row without a numeric EventID")
    return WindowsEvent(
        event_id=event_id,
        channel=str(doc.get("Channel") or doc.get("EventLog") or ""),
        provider_name=str(doc.get("EventSourceName") or doc.get("Provider") or ""),
        computer_name=str(doc.get("Computer") or ""),
        timestamp=_str(doc.get("TimeGenerated")),
        level=to_int(doc.get("EventLevel", doc.get("Level"))),
        task=_str(doc.get("Task")),
        message=_str(doc.get("Activity") or doc.get("RenderedDescription")),
        event_data=_log_analytics_data(doc.get("EventData")),
    )


def windows_event(doc: Mapping[str, Any]) -> WindowsEvent:
    """Recognise the layout and read it; an unknown layout is refused with what was expected."""
    if isinstance(doc.get("Event"), Mapping):
        return from_evtx_dump(doc)
    if isinstance(doc.get("winlog"), Mapping):
        return from_winlogbeat(doc)
    if "TenantId" in doc or doc.get("Type") in ("SecurityEvent", "WindowsEvent", "Event"):
        return from_log_analytics(doc)
    if ("EventID" in doc or "EventId" in doc) and ("Channel" in doc or "SourceName" in doc):
        return from_flat(doc)
    raise ParseError(
        "not a Windows event (expected evtx_dump, Winlogbeat, NXLog, Mordor or Log Analytics JSON)"
    )


class WindowsJsonParser(Parser):
    """Any of the four JSON layouts → the same ``winlog.*`` event."""

    NAME = "windows-json"
    DATASET = "windows"

    def matches(self, record: RawRecord) -> bool:
        return record.data.lstrip()[:1] == b"{"

    def parse(self, record: RawRecord) -> Iterable[Event]:
        text, doc = load_json_object(record, "Windows event")
        win = windows_event(doc)
        event = new_event(record, dataset="windows", module="windows", original=text)
        fill_event(event, win)
        return [event]
