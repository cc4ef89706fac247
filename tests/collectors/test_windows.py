"""Windows events: EVTX, evtx_dump JSON, Winlogbeat, NXLog, Mordor and Log Analytics → one shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collectors.base import DeadLetter
from collectors.dispatch import parse_record
from collectors.ingest import ingest_files
from collectors.registry import SourceType
from collectors.windows import dataset_for
from collectors.windows_json import WindowsJsonParser
from soc.ecs import get_field
from soc.errors import ParseError
from soc.pipeline import Pipeline
from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from tests.collectors.conftest import record

DATA = {
    "SubjectUserName": "WS5$",
    "TargetUserName": "nguyenvana",
    "TargetDomainName": "DANANG",
    "LogonType": "3",
    "IpAddress": "10.20.30.40",
    "IpPort": "51000",
}
EVTX_DUMP = {
    "Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
            "EventID": 4625,
            "Level": 0,
            "EventRecordID": 777,
            "TimeCreated": {"#attributes": {"SystemTime": "2026-03-01T01:02:03.123456Z"}},
            "Channel": "Security",
            "Computer": "ws5.danang.gov.vn",
            "Execution": {"#attributes": {"ProcessID": 4, "ThreadID": 8}},
        },
        "EventData": DATA,
    }
}
WINLOGBEAT = {
    "@timestamp": "2026-03-01T01:02:03.123456Z",
    "winlog": {
        "event_id": "4625",
        "channel": "Security",
        "provider_name": "Microsoft-Windows-Security-Auditing",
        "record_id": 777,
        "computer_name": "ws5.danang.gov.vn",
        "process": {"pid": 4, "thread": {"id": 8}},
        "event_data": DATA,
    },
}
NXLOG = {
    "EventTime": "2026-03-01 01:02:03.123456Z",
    "Hostname": "ws5.danang.gov.vn",
    "EventID": 4625,
    "SourceName": "Microsoft-Windows-Security-Auditing",
    "Channel": "Security",
    "RecordNumber": 777,
    "Level": 0,
    "ProcessID": 4,
    "ThreadID": 8,
    **DATA,
}


def parse(doc: dict[str, Any]) -> dict[str, Any]:
    (event,) = WindowsJsonParser().parse(record(json.dumps(doc)))
    return event


def core(event: dict[str, Any]) -> dict[str, Any]:
    keep = ("@timestamp", "winlog", "host", "user", "source", "event")
    out = {k: event[k] for k in keep if k in event}
    out["event"] = {k: v for k, v in out["event"].items() if k not in ("id", "original")}
    out["winlog"] = {k: v for k, v in out["winlog"].items() if k not in ("opcode", "task")}
    return out


def test_failed_logon_is_fully_specified() -> None:
    event = parse(EVTX_DUMP)
    assert event["@timestamp"] == "2026-03-01T01:02:03.123456Z"
    assert event["event"]["code"] == "4625"
    assert event["event"]["dataset"] == "windows.security"
    assert event["event"]["outcome"] == "failure"
    assert event["event"]["category"] == ["authentication"]
    assert event["winlog"] == {
        "event_id": 4625,
        "channel": "Security",
        "provider_name": "Microsoft-Windows-Security-Auditing",
        "computer_name": "ws5.danang.gov.vn",
        "record_id": 777,
        "event_data": DATA,
        "process": {"pid": 4, "thread": {"id": 8}},
        "logon": {"type": 3},
    }
    assert event["host"]["name"] == "ws5.danang.gov.vn"
    assert event["user"] == {"name": "nguyenvana", "domain": "DANANG"}
    assert event["source"] == {"ip": "10.20.30.40", "port": 51000}


@pytest.mark.parametrize("doc", [WINLOGBEAT, NXLOG], ids=["winlogbeat", "nxlog"])
def test_every_layout_gives_the_same_event(doc: dict[str, Any]) -> None:
    assert core(parse(doc)) == core(parse(EVTX_DUMP))


def test_sysmon_process_creation() -> None:
    event = parse(
        {
            "EventID": 1,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "SourceName": "Microsoft-Windows-Sysmon",
            "Hostname": "ws5",
            "@timestamp": "2026-03-01T00:00:00Z",
            "Image": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "cmd /c whoami",
            "ParentImage": "C:\\Windows\\explorer.exe",
            "ProcessId": "4242",
            "User": "DANANG\\tranb",
            "Hashes": "SHA256=ABC,MD5=DEF",
        }
    )
    assert event["event"]["dataset"] == "windows.sysmon"
    assert event["event"]["action"] == "process-created"
    assert event["process"]["executable"] == "C:\\Windows\\System32\\cmd.exe"
    assert event["process"]["pid"] == 4242
    assert event["process"]["hash"] == {"sha256": "abc", "md5": "def"}
    assert event["user"] == {"name": "tranb", "domain": "DANANG"}
    assert event["winlog"]["event_data"]["CommandLine"] == "cmd /c whoami"


@pytest.mark.parametrize(
    ("channel", "dataset"),
    [
        ("Microsoft-Windows-PowerShell/Operational", "windows.powershell"),
        ("System", "windows.system"),
        ("Microsoft-Windows-Windows Defender/Operational", "windows.windows_defender"),
    ],
)
def test_channel_datasets(channel: str, dataset: str) -> None:
    assert dataset_for(channel) == dataset


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"hello": 1}, "not a Windows event"),
        ({"Event": {"System": {"EventID": "x"}}}, "numeric EventID"),
        ({"winlog": {"channel": "Security"}}, "winlog.event_id"),
    ],
)
def test_refusals(doc: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse(doc)


def test_every_evtx_record_is_ingested_and_jsonl_gives_the_same_events(
    datasets: Path, source_types: dict[str, SourceType], tmp_path: Path
) -> None:
    base = datasets / "evtx-to-mitre-attack-dev"
    manifest = json.loads((base / "manifest.json").read_text())
    present = [m for m in manifest if (base / m["file"]).is_file()]
    expected = sum(m["records"] for m in present)
    store = SqliteEventStore(tmp_path / "events.db")
    pipeline = Pipeline(store)
    ingest_files([base / m["file"] for m in present], source_types["evtx"], pipeline)
    assert pipeline.stats.counters("evtx").as_dict() == {
        "read": expected,
        "ingested": expected,
        "duplicates": 0,
        "rejected": 0,
    }
    assert store.count(EventQuery(dataset="windows.security")) > 1000
    for entry in present[::10]:
        from_evtx = _parse_file(base / entry["file"], source_types["evtx"])
        from_jsonl = _parse_file(base / entry["jsonl"], source_types["windows-json"])
        assert [_without_origin(e) for e in from_evtx] == [_without_origin(e) for e in from_jsonl]


def _parse_file(path: Path, kind: SourceType) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    with path.open("rb") as stream:
        for item in kind.reader.read(stream, str(path)):
            assert not isinstance(item, DeadLetter)
            out = parse_record(kind.parsers, item, kind.name, 100)
            assert isinstance(out, list), out
            events.extend(out)
    return events


def _without_origin(event: dict[str, Any]) -> dict[str, Any]:
    event = json.loads(json.dumps(event))
    event["event"].pop("id")
    event["event"].pop("original")
    event["log"].pop("file")
    event["log"].pop("offset")
    return event


def test_otrf_zipped_mordor_and_log_analytics(
    datasets: Path, source_types: dict[str, SourceType], pipeline: Pipeline, store: SqliteEventStore
) -> None:
    base = datasets / "otrf-security-datasets-dev"
    log4shell = base / "compound" / "Log4Shell"
    files = [
        base / "atomic/windows/credential_access/host/cmd_psexec_lsa_secrets_dump.zip",
        log4shell / "sysmon_log4shell_cve2021_44228_java_serialized_object.zip",
        log4shell / "securityauditing_log4shell_cve2021_44228_java_serialized_object.zip",
    ]
    ingest_files(files, source_types["windows-json"], pipeline)
    counters = pipeline.stats.counters("windows-json")
    assert counters.rejected == 0 and counters.ingested == counters.read > 500
    sysmon = store.search(EventQuery(dataset="windows.sysmon", limit=1000))
    network = [e for e in sysmon if get_field(e, "winlog.event_id") == 3]
    assert network and all(get_field(e, "destination.ip") for e in network)
    security = store.search(EventQuery(dataset="windows.security", limit=5000))
    assert any(get_field(e, "winlog.event_data.DestAddress") == "192.168.2.5" for e in security)
    assert all(get_field(e, "winlog.event_data.TenantId") is None for e in security)
