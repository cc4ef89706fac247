"""``soc yara`` end to end: scan output and exit codes, rule-set counts, ingest, watch, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from tests.detections.yara.cli import run_soc as main
from tests.detections.yara.conftest import write
from tests.detections.yara.samples import NEGATIVE, POSITIVE, eicar


def _uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    jsp = POSITIVE["SOC_Webshell_JSP_Exec_Request"][0]
    write(folder / jsp.name, jsp.data, age_seconds=60)
    clean = NEGATIVE["SOC_Webshell_JSP_Exec_Request"][0]
    write(folder / clean.name, clean.data, age_seconds=60)
    return folder


def test_scan_prints_one_json_alert_per_match_and_exits_1(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _uploads(tmp_path)
    assert main(["yara", "scan", str(folder), "--format", "jsonl"]) == 1
    out = capsys.readouterr()
    events = [json.loads(line) for line in out.out.splitlines()]
    assert [(e["rule"]["name"], e["file"]["name"]) for e in events] == [
        ("SOC_Webshell_JSP_Exec_Request", "cmd.jsp")
    ]
    assert "0 files failed" in out.err
    assert (soc_home / "cache" / "yara").is_dir()


def test_clean_scan_exits_0_and_table_format(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = write(tmp_path / "clean.txt", b"hello")
    assert main(["yara", "scan", str(clean)]) == 0
    assert capsys.readouterr().out == ""
    write(tmp_path / "e.com", eicar())
    assert main(["yara", "scan", str(tmp_path / "e.com")]) == 1
    assert "soc:SOC_Test_EICAR" in capsys.readouterr().out


def test_rules_reports_loaded_and_failed_counts(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "site-rules"
    write(extra / "ok.yar", b'rule site_ok { strings: $a = "x1" condition: $a }\n')
    write(extra / "broken.yar", b"rule site_broken { condition: nope }\n")
    assert main(["yara", "rules", "--rules", str(extra), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files_by_ruleset"]["site-rules"] == 1
    assert summary["files_failed"] == 1
    assert summary["failures"][0]["path"].endswith("broken.yar")
    assert summary["failures"][0]["line"] == 1


def test_scan_ingest_stores_alert_events_once(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _uploads(tmp_path)
    assert main(["yara", "scan", str(folder), "--ingest"]) == 1
    assert main(["yara", "watch", str(folder), "--once"]) == 0  # same ids: duplicates
    store = SqliteEventStore(soc_home / "events.db")
    try:
        stored = store.search(EventQuery(dataset="yara.scan", kind="alert"))
    finally:
        store.close()
    assert [e["rule"]["name"] for e in stored] == ["SOC_Webshell_JSP_Exec_Request"]


def test_user_mistakes_are_one_line_errors(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["yara", "scan", str(tmp_path / "missing")]) == 2
    assert main(["yara", "watch", "--once"]) == 2
    assert main(["yara", "scan", str(tmp_path), "--no-project-rules"]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err
    assert "no folder to watch" in err
    assert "no YARA rules to load" in err
    assert "Traceback" not in err


def test_soc_main_lists_the_scanner_commands() -> None:
    import soc.cli.main

    assert "detections.scanners_cli" in soc.cli.main.COMMAND_MODULES


def test_settings_sections_are_read_from_the_core_configuration(tmp_path: Path) -> None:
    from detections.suricata.settings import suricata_settings
    from detections.yara.settings import yara_settings
    from soc.config import load_settings

    path = tmp_path / "soc.toml"
    path.write_text(
        f"[yara]\nmax_file_bytes = 1024\n[yara.watch]\nfolders = [{str(tmp_path)!r}]\n"
        '[suricata]\nhome_net = "[10.20.0.0/16]"\n'
    )
    settings = load_settings(path, environ={})
    assert yara_settings(settings).max_file_bytes == 1024
    assert yara_settings(settings).watch.folders == [tmp_path]
    assert suricata_settings(settings).home_net == "[10.20.0.0/16]"
