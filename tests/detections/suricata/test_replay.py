"""``soc suricata replay``: the real Suricata on a pcap, its eve.json through the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc.stores.base import EventQuery
from soc.stores.sqlite import SqliteEventStore
from tests.detections.suricata.conftest import sample_pcap, suricata_or_skip
from tests.detections.yara.cli import run_soc

pytestmark = pytest.mark.suricata


@pytest.fixture(autouse=True)
def _needs_suricata() -> None:
    suricata_or_skip()


def stored_alert_sids(home: Path) -> list[str]:
    store = SqliteEventStore(home / "events.db")
    try:
        alerts = store.search(EventQuery(dataset="suricata.eve", kind="alert", limit=1000))
    finally:
        store.close()
    return sorted(e["rule"]["id"] for e in alerts)


def replay(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert run_soc(["--home", str(home), "suricata", "replay", *args, "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_replay_ingests_the_alerts_once(soc_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pcap, placed = sample_pcap("positive")
    first = replay(soc_home, capsys, str(pcap))
    expected = sorted(str(sid) for p in placed for sid in p.expect)
    assert str(first["rules"]).startswith("project ")
    assert first["reused"] is False
    sids = stored_alert_sids(soc_home)
    assert sorted(set(sids)) == sorted(set(expected))
    assert len(sids) == first["alerts"]
    ingest = first["ingest"]
    assert isinstance(ingest, dict) and ingest["ingested"] == first["events"]
    again = replay(soc_home, capsys, str(pcap))
    assert again["reused"] is True
    assert stored_alert_sids(soc_home) == sids


def test_replay_uses_the_active_rule_set_or_an_explicit_file(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pcap, _ = sample_pcap("positive")
    assert run_soc(["--home", str(soc_home), "suricata", "update"]) == 0
    capsys.readouterr()
    active = replay(soc_home, capsys, str(pcap), "--no-ingest")
    assert str(active["rules"]).startswith("active ")
    assert active["ingest"] is None and not (soc_home / "events.db").exists()
    only = tmp_path / "one.rules"
    only.write_text(
        'alert http any any -> any any (msg:"SOC lab"; http.uri; content:"/.env"; sid:9100999;)\n'
    )
    explicit = replay(soc_home, capsys, str(pcap), "--rules", str(only))
    assert str(explicit["rules"]).startswith("file ")
    assert stored_alert_sids(soc_home) == ["9100999"]


def test_replay_mistakes_are_one_line_errors(
    soc_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_soc(["--home", str(soc_home), "suricata", "replay", str(tmp_path / "x.pcap")]) == 2
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a pcap")
    assert run_soc(["--home", str(soc_home), "suricata", "replay", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "no such pcap" in err and "not a pcap or pcapng file" in err
    assert "Traceback" not in err
