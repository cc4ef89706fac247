"""``soc suricata replay``: Suricata on a pcap with the active rule set; its eve.json ingested."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from detections.suricata.engine import SuricataEngine, SuricataRun
from detections.suricata.indicators import DATASET_FILE, indicator_domains, write_project_ruleset
from detections.suricata.ruleset import RulesetManager
from soc.errors import DetectionError

INGESTED_MARK = "ingested.json"


@dataclass(frozen=True)
class ChosenRules:
    path: Path
    label: str  # "active <sha12>", "project <sha12>" or "file <sha12>"
    digest: str


@dataclass(frozen=True)
class ReplayOutcome:
    outdir: Path
    eve: Path
    rules: ChosenRules
    events: int
    alerts: int
    run: SuricataRun | None  # None when an earlier replay of the same pcap and rules was reused
    ingest: dict[str, int] | None


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1_048_576):
            h.update(chunk)
    return h.hexdigest()


def pcap_digest(pcap: Path) -> str:
    """Content hash of a pcap, or of a folder's pcaps (names and contents)."""
    if pcap.is_file():
        return file_digest(pcap)
    h = hashlib.sha256()
    for path in sorted(p for p in pcap.iterdir() if p.is_file()):
        h.update(f"{path.name}\0{file_digest(path)}\n".encode())
    return h.hexdigest()


def choose_rules(manager: RulesetManager, explicit: Path | None, workdir: Path) -> ChosenRules:
    """``--rules FILE``, else the active rule set, else the project's rules as they are."""
    if explicit is not None:
        if not explicit.is_file():
            raise DetectionError("no such rules file", source=explicit)
        digest = file_digest(explicit)
        return ChosenRules(explicit.resolve(), f"file {digest[:12]}", digest)
    active = manager.active()
    if active is not None:
        return ChosenRules(manager.rules_path, f"active {active.short}", active.sha256)
    domains = indicator_domains(manager.settings)
    combined = write_project_ruleset(workdir / "project", domains, manager.project_rules)
    digest = hashlib.sha256(
        combined.read_bytes() + (combined.parent / DATASET_FILE).read_bytes()
    ).hexdigest()
    return ChosenRules(combined, f"project {digest[:12]}", digest)


def count_eve(eve: Path) -> tuple[int, int]:
    events = alerts = 0
    if eve.is_file():
        with eve.open("rb") as stream:
            for line in stream:
                events += 1
                alerts += b'"event_type":"alert"' in line
    return events, alerts


def replay_folder(workdir: Path, pcap: Path, pcap_hash: str, rules: ChosenRules) -> Path:
    # one folder per (pcap, rule set): a replay of the same input is found again, not redone
    return workdir / "replays" / f"{pcap.stem[:40]}-{pcap_hash[:12]}-{rules.digest[:12]}"


def already_ingested(outdir: Path) -> dict[str, int] | None:
    mark = outdir / INGESTED_MARK
    if not mark.is_file():
        return None
    try:
        counts = json.loads(mark.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in counts.items()}
    except (OSError, ValueError, AttributeError):
        return None


def mark_ingested(outdir: Path, counts: dict[str, int]) -> None:
    (outdir / INGESTED_MARK).write_text(json.dumps(counts), encoding="utf-8")


def run_replay(
    engine: SuricataEngine, pcap: Path, rules: ChosenRules, workdir: Path, *, force: bool
) -> tuple[Path, SuricataRun | None]:
    """Run Suricata unless this pcap was already replayed and ingested with these rules.

    Suricata's flow_id differs on every run, so a second run would make different eve lines
    (new event ids, duplicate alerts): reuse the first run instead, unless forced.
    """
    outdir = replay_folder(workdir, pcap, pcap_digest(pcap), rules)
    if not force and already_ingested(outdir) is not None:
        return outdir, None
    (outdir / INGESTED_MARK).unlink(missing_ok=True)
    return outdir, engine.run_pcap(pcap, rules.path, outdir)
