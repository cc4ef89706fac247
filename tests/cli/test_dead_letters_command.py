"""``soc dead-letters``: what the platform refused, readable, and kept once per record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc.cli.core_commands import raw_preview
from soc.cli.main import main

GOOD = (
    '{"timestamp":"2026-11-20T08:00:01.000000+0700","flow_id":1,"event_type":"alert",'
    '"src_ip":"198.51.100.7","src_port":4444,"dest_ip":"10.10.1.5","dest_port":80,"proto":"TCP",'
    '"alert":{"action":"allowed","gid":1,"signature_id":9100001,"rev":1,'
    '"signature":"SOC test alert","category":"Web Application Attack","severity":1}}'
)


def bad_file(tmp_path: Path, name: str = "eve.json") -> Path:
    f = tmp_path / name
    f.write_bytes(
        GOOD.encode() + b"\n" + b"\x1b[31mnot json\n" + b'{"truncated\n' + b"\xff\xfe junk\n"
    )
    return f


def ingest(path: Path) -> None:
    assert main(["ingest", "--source-type", "suricata-eve", "--json", str(path)]) == 0


def status_dead_letters(capsys: pytest.CaptureFixture[str]) -> int:
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    return int(json.loads(capsys.readouterr().out)["dead_letters"])


def test_reingesting_a_file_keeps_its_dead_letters_once(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = bad_file(tmp_path)
    ingest(f)
    ingest(f)
    ingest(f)
    assert status_dead_letters(capsys) == 3


def test_dead_letters_lists_the_refused_records_escaped(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(bad_file(tmp_path))
    capsys.readouterr()
    assert main(["dead-letters"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mnot json" in out
    assert "\\xff\\xfe junk" in out
    assert out.count("reason: ") == 3 and "suricata-eve" in out


def test_dead_letters_json_limit_and_source(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = bad_file(tmp_path, "a.json")
    ingest(first)
    ingest(bad_file(tmp_path, "b.json"))
    capsys.readouterr()
    assert main(["dead-letters", "--json", "--limit", "2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and all(r["source"].endswith("b.json") for r in rows)
    assert set(rows[0]) == {"at", "source", "source_type", "offset", "reason", "raw_bytes", "raw"}
    source = rows[0]["source"].replace("b.json", "a.json")
    assert main(["dead-letters", "--json", "--source", source]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["offset"] for r in rows] == sorted((r["offset"] for r in rows), reverse=True)
    assert len(rows) == 3 and {r["source"] for r in rows} == {source}


def test_no_dead_letters_is_said(soc_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dead-letters", "--source", "nowhere"]) == 0
    assert capsys.readouterr().out == "no dead letters from nowhere\n"


def test_raw_preview_escapes_controls_bidi_and_bad_bytes_and_is_bounded() -> None:
    assert raw_preview(b"ok \x00\x1b\n\xe2\x80\xae\xff", 80) == "ok \\x00\\x1b\\n\\u202e\\xff"
    assert raw_preview("Đà Nẵng".encode()) == "Đà Nẵng"
    assert raw_preview(b"a" * 100, 10) == "a" * 10 + "…"
