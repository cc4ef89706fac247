"""The ``soc`` command end to end on the embedded stores: ingest, search, status, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc.cli.main import main

EVE = (
    '{"timestamp":"2026-11-20T08:00:0%d.000000+0700","flow_id":%d,"event_type":"alert",'
    '"src_ip":"198.51.100.7","src_port":4444,"dest_ip":"10.10.1.5","dest_port":80,"proto":"TCP",'
    '"alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":1,'
    '"signature":"SOC test alert %d","category":"Web Application Attack","severity":1}}'
)


def eve_line(n: int) -> str:
    return EVE % (n % 10, 1000 + n, 9100000 + n, n)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, int]:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_ingest_counts_and_is_idempotent(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "eve.json"
    f.write_text("\n".join(eve_line(i) for i in range(5)) + "\n")
    first = run_json(capsys, "ingest", "--source-type", "suricata-eve", "--json", str(f))
    assert first == {"read": 5, "ingested": 5, "duplicates": 0, "rejected": 0}
    again = run_json(capsys, "ingest", "--source-type", "suricata-eve", "--json", str(f))
    assert again == {"read": 5, "ingested": 0, "duplicates": 5, "rejected": 0}


def test_bad_lines_are_rejected_and_counted_valid_ones_kept(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "eve.json"
    with f.open("wb") as out:
        out.write(eve_line(1).encode() + b"\n")
        out.write(eve_line(2).encode()[:60] + b"\n")  # truncated
        out.write(eve_line(3).encode().replace(b"SOC", b"\xff\xfeSOC") + b"\n")  # invalid UTF-8
        out.write(b'{"pad":"' + b"x" * (10 * 1024 * 1024) + b'"}\n')  # a 10 MB single line
        out.write(eve_line(4).encode() + b"\n")
    counts = run_json(capsys, "ingest", "--source-type", "suricata-eve", "--json", str(f))
    assert counts == {"read": 5, "ingested": 2, "duplicates": 0, "rejected": 3}
    assert main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["events"] == 2 and status["dead_letters"] == 3


def test_events_search_jsonl(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "eve.json"
    f.write_text("\n".join(eve_line(i) for i in range(3)) + "\n")
    run_json(capsys, "ingest", "--source-type", "suricata-eve", "--json", str(f))
    assert main(["events", "search", "--dataset", "suricata.eve", "--format", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(events) == 3
    assert events[0]["@timestamp"] == "2026-11-20T01:00:02.000000Z"  # +07:00 normalised to UTC
    assert events[0]["rule"]["id"] == "9100002"
    assert main(["events", "search", "--since", "7x"]) == 2
    assert "cannot read the time" in capsys.readouterr().err


def test_user_mistakes_are_one_line_not_tracebacks(
    soc_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--source-type", "no-such-type", "/etc/hostname"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("soc: error:") and "suricata-eve" in err and "Traceback" not in err
    assert main(["ingest", "--source-type", "syslog", "/no/such/file"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_store_purge_applies_the_retention(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "eve.json"
    f.write_text("\n".join(eve_line(i) for i in range(5)) + "\n")  # 2026-11-20
    run_json(capsys, "ingest", "--source-type", "suricata-eve", "--json", str(f))
    assert main(["store", "purge"]) == 0  # 365 days by default: all five are recent
    assert "purged 0 events older than 365 days" in capsys.readouterr().out
    assert main(["store", "purge", "--days", "1"]) == 0  # today is later than 2026-11-21
    assert "purged 4 events" in capsys.readouterr().out  # the newest row is always kept
