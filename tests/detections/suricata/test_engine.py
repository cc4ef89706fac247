"""Running Suricata: the runtime configuration, the command line, limits and failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from detections.suricata.engine import SuricataEngine
from detections.suricata.settings import SuricataSettings
from soc.errors import DetectionError
from tests.detections.suricata.conftest import sample_pcap, suricata_or_skip


def test_runtime_config_includes_the_base_and_sets_the_eve_output(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("%YAML 1.1\n---\n")
    engine = SuricataEngine(SuricataSettings(base_config=base), tmp_path / "w")
    text = engine.runtime_config().read_text()
    assert f"include: {base}" in text
    assert "filename: eve.json" in text and "community-id: true" in text


def test_missing_base_config_and_binary_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = SuricataEngine(SuricataSettings(base_config=tmp_path / "none.yaml"), tmp_path)
    with pytest.raises(DetectionError, match="base configuration"):
        engine.runtime_config()
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = SuricataEngine(SuricataSettings(binary=tmp_path / "no-suricata"), tmp_path)
    with pytest.raises(DetectionError, match="suricata not found") as caught:
        missing.require_binary()
    assert caught.value.hint


def test_command_line_reads_the_pcap_offline_with_home_net(tmp_path: Path) -> None:
    binary = tmp_path / "suricata"
    binary.write_text("")
    base = tmp_path / "base.yaml"
    base.write_text("")
    settings = SuricataSettings(binary=binary, base_config=base, home_net="[10.20.0.0/16]")
    engine = SuricataEngine(settings, tmp_path)
    args = engine.command(Path("in.pcap"), Path("r.rules"), Path("out"), strict=True)
    joined = " ".join(args)
    assert "-r in.pcap -l out -k none" in joined
    assert "--set vars.address-groups.HOME_NET=[10.20.0.0/16]" in joined
    assert "-S r.rules" in joined and "--init-errors-fatal" in joined
    assert "--disable-detection" in engine.command(Path("in.pcap"), None, Path("out"))


@pytest.mark.suricata
def test_oversized_pcap_missing_inputs_and_bad_rules(tmp_path: Path) -> None:
    binary = suricata_or_skip()
    pcap, _ = sample_pcap("negative")
    small = SuricataEngine(SuricataSettings(binary=binary, max_pcap_bytes=1024), tmp_path)
    with pytest.raises(DetectionError, match="over the 1024 limit"):
        small.run_pcap(pcap, None, tmp_path / "o")
    engine = SuricataEngine(SuricataSettings(binary=binary), tmp_path)
    with pytest.raises(DetectionError, match="no such pcap"):
        engine.run_pcap(tmp_path / "none.pcap", None, tmp_path / "o")
    bad = tmp_path / "bad.rules"
    bad.write_text('alert http any any -> any any (msg:"x"; http.nonsense; sid:1;)\n')
    with pytest.raises(DetectionError, match="exited with"):
        engine.run_pcap(pcap, bad, tmp_path / "o", strict=True)
    with pytest.raises(DetectionError, match="do not load"):
        engine.test_rules(bad, tmp_path / "t")


@pytest.mark.suricata
def test_version_is_read_from_the_binary(tmp_path: Path) -> None:
    engine = SuricataEngine(SuricataSettings(binary=suricata_or_skip()), tmp_path)
    assert engine.version >= (6, 0, 0)
