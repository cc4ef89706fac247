"""One ECS + ``winlog.*`` shape for Windows events, whichever JSON layout they arrived in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from collectors.envelope import iso_timestamp, set_ip, to_int
from soc.ecs import Event, set_field

_DATASETS = {
    "microsoft-windows-sysmon/operational": "windows.sysmon",
    "security": "windows.security",
    "system": "windows.system",
    "application": "windows.application",
    "microsoft-windows-powershell/operational": "windows.powershell",
    "windows powershell": "windows.powershell",
    "powershellcore/operational": "windows.powershell",
}
_LEVELS = {
    0: "information",
    1: "critical",
    2: "error",
    3: "warning",
    4: "information",
    5: "verbose",
}
_SECURITY_MEANING: dict[int, tuple[str, str, str, str | None]] = {
    4624: ("logged-in", "authentication", "start", "success"),
    4625: ("logon-failed", "authentication", "start", "failure"),
    4634: ("logged-out", "authentication", "end", "success"),
    4648: ("logged-in-explicit", "authentication", "start", "success"),
    4688: ("created-process", "process", "start", None),
    4720: ("added-user-account", "iam", "creation", "success"),
    4726: ("deleted-user-account", "iam", "deletion", "success"),
    4728: ("added-member-to-group", "iam", "change", "success"),
    4732: ("added-member-to-group", "iam", "change", "success"),
    4756: ("added-member-to-group", "iam", "change", "success"),
    4771: ("kerberos-preauth-failed", "authentication", "start", "failure"),
    4776: ("credential-validated", "authentication", "start", None),
    1102: ("audit-log-cleared", "configuration", "deletion", "success"),
}
_SYSMON_MEANING = {
    1: ("process-created", "process", "start"),
    3: ("network-connection", "network", "connection"),
    5: ("process-terminated", "process", "end"),
    7: ("image-loaded", "process", "info"),
    8: ("create-remote-thread", "process", "change"),
    10: ("process-accessed", "process", "access"),
    11: ("file-created", "file", "creation"),
    12: ("registry-object-added-or-deleted", "registry", "change"),
    13: ("registry-value-set", "registry", "change"),
    22: ("dns-query", "network", "protocol"),
    23: ("file-deleted", "file", "deletion"),
}
# event_data name → ECS field, applied when present (Sysmon and Security spellings).
_DATA_FIELDS = (
    ("Image", "process.executable"),
    ("NewProcessName", "process.executable"),
    ("CommandLine", "process.command_line"),
    ("ParentImage", "process.parent.executable"),
    ("ParentProcessName", "process.parent.executable"),
    ("ParentCommandLine", "process.parent.command_line"),
    ("CurrentDirectory", "process.working_directory"),
    ("TargetFilename", "file.path"),
    ("TargetObject", "registry.path"),
    ("QueryName", "dns.question.name"),
    ("ScriptBlockText", "powershell.file.script_block_text"),
    ("ServiceName", "service.name"),
    ("ShareName", "file.share_name"),
)


@dataclass(slots=True)
class WindowsEvent:
    """The parts every layout carries, with the original field names kept."""

    event_id: int
    channel: str
    provider_name: str
    computer_name: str
    timestamp: str | None
    record_id: int | None = None
    provider_guid: str | None = None
    level: int | None = None
    task: str | None = None
    opcode: str | None = None
    keywords: str | None = None
    version: int | None = None
    process_id: int | None = None
    thread_id: int | None = None
    user_sid: str | None = None
    message: str | None = None
    event_data: dict[str, Any] = field(default_factory=dict)
    user_data: dict[str, Any] = field(default_factory=dict)


def dataset_for(channel: str) -> str:
    """``windows.sysmon``, ``windows.security``… else ``windows.<channel-ish>``."""
    key = channel.strip().lower()
    if key in _DATASETS:
        return _DATASETS[key]
    key = key.removeprefix("microsoft-windows-").removesuffix("/operational")
    return "windows." + (re.sub(r"[^a-z0-9]+", "_", key).strip("_") or "unknown")


def fill_event(event: Event, win: WindowsEvent) -> None:
    """Write the ECS and ``winlog.*`` fields of ``win`` into the envelope ``event``."""
    if win.timestamp:
        event["@timestamp"] = iso_timestamp(win.timestamp, "Windows event time")
    event["event"].update(
        dataset=dataset_for(win.channel), module="windows", code=str(win.event_id)
    )
    if win.provider_name:
        event["event"]["provider"] = win.provider_name
    event["winlog"] = _winlog(win)
    if win.computer_name:
        event["host"] = {"name": win.computer_name, "hostname": win.computer_name}
    if win.level is not None:
        event.setdefault("log", {})["level"] = _LEVELS.get(win.level, str(win.level))
    if win.message:
        event["message"] = win.message
    _meaning(event, win)
    _common_fields(event, win.event_data)


def _winlog(win: WindowsEvent) -> dict[str, Any]:
    winlog: dict[str, Any] = {
        "event_id": win.event_id,
        "channel": win.channel,
        "provider_name": win.provider_name,
        "computer_name": win.computer_name,
    }
    optional = {
        "record_id": win.record_id,
        "provider_guid": win.provider_guid,
        "task": win.task,
        "opcode": win.opcode,
        "keywords": win.keywords,
        "version": win.version,
        "event_data": win.event_data or None,
        "user_data": win.user_data or None,
    }
    winlog.update({k: v for k, v in optional.items() if v is not None})
    if win.process_id is not None:
        winlog["process"] = {"pid": win.process_id}
        if win.thread_id is not None:
            winlog["process"]["thread"] = {"id": win.thread_id}
    if win.user_sid:
        winlog["user"] = {"identifier": win.user_sid}
    return winlog


def _meaning(event: Event, win: WindowsEvent) -> None:
    dataset = event["event"]["dataset"]
    if dataset == "windows.security" and win.event_id in _SECURITY_MEANING:
        action, category, kind, outcome = _SECURITY_MEANING[win.event_id]
        event["event"].update(action=action, category=[category], type=[kind])
        if outcome:
            event["event"]["outcome"] = outcome
    elif dataset == "windows.sysmon" and win.event_id in _SYSMON_MEANING:
        action, category, kind = _SYSMON_MEANING[win.event_id]
        event["event"].update(action=action, category=[category], type=[kind])


def _user(event: Event, data: dict[str, Any]) -> None:
    user = data.get("TargetUserName") or data.get("SubjectUserName")
    domain = data.get("TargetDomainName") or data.get("SubjectDomainName")
    if isinstance(data.get("User"), str) and "\\" in data["User"]:
        domain, _, user = data["User"].partition("\\")
    if isinstance(user, str) and user not in ("", "-"):
        set_field(event, "user.name", user)
        if isinstance(domain, str) and domain not in ("", "-"):
            set_field(event, "user.domain", domain)


def _hashes(event: Event, value: Any) -> None:
    if not isinstance(value, str):
        return
    for part in value.split(","):
        algo, _, digest = part.partition("=")
        if digest and algo.lower() in ("md5", "sha1", "sha256", "imphash"):
            set_field(event, f"process.hash.{algo.lower()}", digest.lower())


def _common_fields(event: Event, data: dict[str, Any]) -> None:
    for name, dotted in _DATA_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value not in ("", "-"):
            set_field(event, dotted, value)
    _user(event, data)
    _hashes(event, data.get("Hashes"))
    pid = to_int(data.get("ProcessId"))
    if pid is None and isinstance(data.get("NewProcessId"), str):
        pid = _hex_or_int(data["NewProcessId"])
    if pid is not None:
        set_field(event, "process.pid", pid)
    for side, ip_key, port_key in (
        ("source", "IpAddress", "IpPort"),
        ("source", "SourceIp", "SourcePort"),
        ("destination", "DestinationIp", "DestinationPort"),
    ):
        if set_ip(event, f"{side}.ip", _text(data.get(ip_key))):
            port = to_int(data.get(port_key))
            if port:
                set_field(event, f"{side}.port", port)
    if (logon := to_int(data.get("LogonType"))) is not None:
        set_field(event, "winlog.logon.type", logon)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _hex_or_int(text: str) -> int | None:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None
