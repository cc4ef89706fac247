"""Real-Suricata fixtures: the binary (or a clean skip) and the sample pcaps run once."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from detections.suricata import samples as samples_module
from detections.suricata.engine import SuricataEngine
from detections.suricata.indicators import indicator_domains, write_project_ruleset
from detections.suricata.samples import (
    SAMPLE_HOME_NET,
    SAMPLES_FILE,
    PlacedSample,
    Polarity,
    load_samples,
    write_sample_pcap,
)
from detections.suricata.settings import SuricataSettings


def suricata_or_skip() -> Path:
    found = shutil.which("suricata") or (
        "/usr/bin/suricata" if Path("/usr/bin/suricata").is_file() else None
    )
    if not found:
        pytest.skip("suricata is not installed")
    return Path(found)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SuricataEngine:
    binary = suricata_or_skip()
    return SuricataEngine(SuricataSettings(binary=binary), tmp_path_factory.mktemp("suricata"))


def sample_pcap_dir() -> Path:
    """Generated pcaps are cached across runs, keyed by the sample specs and the generator."""
    h = hashlib.sha256(SAMPLES_FILE.read_bytes())
    h.update(Path(samples_module.__file__).read_bytes())
    folder = Path(tempfile.gettempdir()) / "soc-suricata-samples" / h.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sample_pcap(polarity: Polarity) -> tuple[Path, list[PlacedSample]]:
    folder = sample_pcap_dir()
    pcap, index = folder / f"{polarity}.pcap", folder / f"{polarity}.json"
    if pcap.is_file() and index.is_file():
        placed = [
            PlacedSample(**{**p, "expect": frozenset(p["expect"])})
            for p in json.loads(index.read_text())
        ]
        return pcap, placed
    tmp = folder / f"{polarity}.tmp.pcap"
    placed = write_sample_pcap(load_samples(), polarity, tmp)
    index.write_text(json.dumps([{**asdict(p), "expect": sorted(p.expect)} for p in placed]))
    tmp.replace(pcap)
    return pcap, placed


@dataclass
class SampleRun:
    placed: list[PlacedSample]
    alerts: dict[str, list[tuple[int, int]]]  # client address → (flow_id, sid) of each alert


@pytest.fixture(scope="session")
def project_rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    return write_project_ruleset(folder, indicator_domains(SuricataSettings()))


@pytest.fixture(scope="session")
def sample_runs(
    engine: SuricataEngine, project_rules_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, SampleRun]:
    """Suricata run once on all positive and once on all negative sample sessions."""
    runs: dict[str, SampleRun] = {}
    polarities: tuple[Polarity, ...] = ("positive", "negative")
    for polarity in polarities:
        pcap, placed = sample_pcap(polarity)
        out = tmp_path_factory.mktemp(f"run-{polarity}")
        run = engine.run_pcap(pcap, project_rules_file, out, home_net=SAMPLE_HOME_NET, strict=True)
        alerts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for line in run.eve.read_text().splitlines():
            record = json.loads(line)
            if record["event_type"] == "alert":
                hit = (record["flow_id"], record["alert"]["signature_id"])
                for address in {record["src_ip"], record["dest_ip"]}:
                    alerts[address].append(hit)
        runs[polarity] = SampleRun(placed, dict(alerts))
    return runs
