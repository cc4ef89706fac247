"""The active Suricata rule set, built offline by suricata-update from local sources, versioned.

Layout under ``<home>/suricata/``: ``update/`` (suricata-update's data directory), ``update.yaml``,
``conf/*.conf`` (enable/disable/modify/drop lists written from the configuration),
``sources/soc-project.tar.gz`` (the project's rules as a source), ``rules/suricata.rules`` (the
active rule set), ``versions.jsonl`` (one line per new version) and ``history/`` (recent copies).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

from detections.suricata.engine import SuricataEngine, tail
from detections.suricata.indicators import DATASET_FILE, dataset_text, indicator_domains
from detections.suricata.rulefile import PROJECT_RULES_DIR, project_rule_files
from detections.suricata.settings import RuleSource, SuricataSettings
from soc.ecs import format_timestamp, utc_now
from soc.errors import ConfigError, DetectionError

PROJECT_SOURCE = "soc-project"
FILTER_KINDS = ("enable", "disable", "modify", "drop")


@dataclass(frozen=True)
class RulesetVersion:
    """One rule set the platform has used: its content hash, when, from what, how many rules."""

    sha256: str
    created: str
    rules_total: int
    rules_enabled: int
    sources: dict[str, str]
    path: str

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class UpdateResult:
    version: RulesetVersion
    changed: bool
    log: str


def count_rules(path: Path) -> tuple[int, int]:
    """(total, enabled) rule lines; a disabled rule is a commented-out rule line."""
    total = enabled = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = line.strip()
        body = text.lstrip("#").strip()
        if body.startswith(("alert ", "drop ", "reject ", "pass ")) and "sid:" in body:
            total += 1
            enabled += not text.startswith("#")
    return total, enabled


def project_rules_archive(
    target: Path, domains: Sequence[str], folder: Path = PROJECT_RULES_DIR
) -> Path:
    """The project's rules and indicator dataset as a tar.gz source; same input, same bytes."""
    members = {f"rules/{p.name}": p.read_bytes() for p in project_rule_files(folder)}
    members[f"rules/{DATASET_FILE}"] = dataset_text(domains).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue())
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_bytes() != packed.getvalue():
        target.write_bytes(packed.getvalue())
    return target


def source_url(source: RuleSource, allow_remote: bool) -> str:
    """A ``file://`` URL for local sources; remote URLs only when the configuration allows."""
    parsed = urlparse(source.url)
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path if parsed.scheme else source.url).expanduser()
        if not path.is_absolute() or not path.is_file():
            raise ConfigError(
                f"rule source {source.name}: {path} is not an existing absolute file path",
                hint="give a .rules or .tar.gz file, e.g. file:///srv/rules/et-open.tar.gz",
            )
        return path.resolve().as_uri()
    if parsed.scheme in ("http", "https") and allow_remote:
        return source.url
    raise ConfigError(
        f"rule source {source.name}: {parsed.scheme}:// is not allowed",
        hint="use a local file, or set [suricata] allow_remote_sources = true",
    )


class RulesetManager:
    """Runs suricata-update in the platform's own directory and keeps the version history."""

    def __init__(
        self,
        workdir: Path,
        settings: SuricataSettings,
        engine: SuricataEngine,
        project_rules: Path = PROJECT_RULES_DIR,
    ) -> None:
        self.workdir = workdir
        self.settings = settings
        self.engine = engine
        self.project_rules = project_rules
        self.data_dir = workdir / "update"
        self.config = workdir / "update.yaml"
        self.output = workdir / "rules"
        self.rules_path = self.output / "suricata.rules"
        self.versions_path = workdir / "versions.jsonl"
        self.history_dir = workdir / "history"

    # --- suricata-update -------------------------------------------------------------------
    def update_binary(self) -> Path:
        configured = self.settings.update_binary
        candidates = [configured] if configured else []
        candidates.append(Path(sys.executable).parent / "suricata-update")
        found = shutil.which("suricata-update")
        candidates += [Path(found)] if found else []
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise DetectionError(
            "suricata-update not found", hint="install suricata-update or set update_binary"
        )

    def _run(self, *args: str) -> str:
        command = [str(self.update_binary()), *args, "-D", str(self.data_dir)]
        command += ["-c", str(self.config)]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=self.settings.update_timeout_seconds,
            )
        except subprocess.TimeoutExpired as e:
            raise DetectionError("suricata-update timed out") from e
        output = done.stdout + done.stderr
        if done.returncode != 0:
            errors = [line for line in output.splitlines() if "<Error>" in line]
            raise DetectionError(
                f"suricata-update {args[0]} failed: {tail(chr(10).join(errors) or output, 4)}"
            )
        return output

    def wanted_sources(self) -> dict[str, str]:
        wanted: dict[str, str] = {}
        if self.settings.include_project_rules:
            archive = project_rules_archive(
                self.workdir / "sources" / f"{PROJECT_SOURCE}.tar.gz",
                indicator_domains(self.settings),
                self.project_rules,
            )
            wanted[PROJECT_SOURCE] = archive.resolve().as_uri()
        for source in self.settings.sources:
            wanted[source.name] = source_url(source, self.settings.allow_remote_sources)
        if not wanted:
            raise ConfigError(
                "no rule source configured",
                hint="keep include_project_rules on or add [[suricata.sources]]",
            )
        return wanted

    def registered_sources(self) -> dict[str, str]:
        folder = self.data_dir / "update" / "sources"
        found: dict[str, str] = {}
        for path in sorted(folder.glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if isinstance(doc, dict) and doc.get("source") and doc.get("url"):
                found[str(doc["source"])] = str(doc["url"])
        return found

    def sync_sources(self) -> dict[str, str]:
        """Make suricata-update's enabled sources exactly the configured ones."""
        wanted, present = self.wanted_sources(), self.registered_sources()
        for name, url in present.items():
            if wanted.get(name) != url:
                self._run("remove-source", name)
        for name, url in wanted.items():
            if present.get(name) != url:
                self._run("add-source", name, url)
        return wanted

    def _write_filters(self) -> list[str]:
        args: list[str] = []
        conf = self.workdir / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        for kind in FILTER_KINDS:
            path = conf / f"{kind}.conf"
            lines = getattr(self.settings, kind)
            path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            args += [f"--{kind}-conf", str(path)]
        return args

    def update(self) -> UpdateResult:
        """Fetch the local sources, apply the filters, write and version the rule set."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.config.is_file():
            self.config.write_text('# written by the SOC platform\nignore:\n  - "*deleted.rules"\n')
        sources = self.sync_sources()
        args = ["update", "--no-reload", "--fail", "--force", "-o", str(self.output)]
        args += ["--suricata", str(self.engine.require_binary())]
        args += ["--suricata-conf", str(self.engine.runtime_config())]
        args += self._write_filters()
        if not self.settings.test_ruleset:
            args.append("--no-test")
        log = self._run(*args)
        if not self.rules_path.is_file():
            raise DetectionError("suricata-update wrote no rule set", hint=tail(log, 4))
        version, changed = self._record(sources)
        return UpdateResult(version, changed, log)

    # --- versions --------------------------------------------------------------------------
    def history(self) -> list[RulesetVersion]:
        if not self.versions_path.is_file():
            return []
        lines = self.versions_path.read_text(encoding="utf-8").splitlines()
        return [RulesetVersion(**json.loads(line)) for line in lines if line.strip()]

    def active(self) -> RulesetVersion | None:
        versions = self.history()
        return versions[-1] if versions and self.rules_path.is_file() else None

    def _record(self, sources: dict[str, str]) -> tuple[RulesetVersion, bool]:
        data = self.rules_path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        current = self.active()
        if current is not None and current.sha256 == digest:
            return current, False
        total, enabled = count_rules(self.rules_path)
        stamp = utc_now()
        self.history_dir.mkdir(parents=True, exist_ok=True)
        kept = self.history_dir / f"{stamp.strftime('%Y%m%dT%H%M%S')}-{digest[:12]}.rules"
        shutil.copyfile(self.rules_path, kept)
        version = RulesetVersion(
            digest, format_timestamp(stamp), total, enabled, sources, str(kept)
        )
        with self.versions_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(version)) + "\n")
        self._prune_history()
        return version, True

    def _prune_history(self) -> None:
        copies = sorted(self.history_dir.glob("*.rules"))
        for stale in copies[: max(0, len(copies) - self.settings.keep_versions)]:
            os.unlink(stale)
