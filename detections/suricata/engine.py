"""Suricata run offline on pcaps: the platform's runtime configuration, limits and failures."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from detections.suricata.settings import SuricataSettings
from soc.errors import DetectionError

# First four bytes of pcap (both byte orders, micro- and nanosecond) and pcapng files.
PCAP_MAGICS = {
    bytes.fromhex(m) for m in ("a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1", "0a0d0d0a")
}
# Files a run writes into its output folder; removed first because Suricata appends to them.
RUN_OUTPUTS = ("eve.json", "fast.log", "stats.log", "suricata.log", "http.log", "drop.log")

_RUNTIME_CONFIG = """%YAML 1.1
---
# Written by the SOC platform on every run: the distribution's configuration, with the eve
# output the platform ingests (community-id on, so events can be joined with other tools).
include: {base}

outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      community-id: true
      types:
        - alert:
            tagged-packets: yes
        - anomaly:
            enabled: yes
        - http:
            extended: yes
        - dns
        - tls:
            extended: yes
        - files
        - ssh
        - smtp
        - flow
        - stats:
            totals: yes
            threads: no
            deltas: no
"""


@dataclass(frozen=True)
class SuricataRun:
    outdir: Path
    eve: Path
    seconds: float
    command: tuple[str, ...]


def tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class SuricataEngine:
    """Finds the Suricata binary and runs it on one pcap (or a folder of pcaps) at a time."""

    def __init__(self, settings: SuricataSettings, workdir: Path) -> None:
        self.settings = settings
        self.workdir = workdir

    @cached_property
    def binary(self) -> Path | None:
        if self.settings.binary.is_file():
            return self.settings.binary
        found = shutil.which(self.settings.binary.name)
        return Path(found) if found else None

    def require_binary(self) -> Path:
        if self.binary is None:
            raise DetectionError(
                f"suricata not found at {self.settings.binary} nor on PATH",
                hint="install it (scripts/setup.sh) or set [suricata] binary",
            )
        return self.binary

    @cached_property
    def version(self) -> tuple[int, int, int]:
        out = subprocess.run(
            [str(self.require_binary()), "-V"], capture_output=True, text=True, timeout=30
        )
        found = re.search(r"version (\d+)\.(\d+)\.(\d+)", out.stdout + out.stderr)
        if not found:
            raise DetectionError(f"cannot read the Suricata version: {tail(out.stdout)!r}")
        major, minor, patch = (int(g) for g in found.groups())
        return major, minor, patch

    def runtime_config(self) -> Path:
        """``<workdir>/suricata.yaml``: the base configuration plus the platform's outputs."""
        base = self.settings.base_config
        if not base.is_file():
            raise DetectionError(
                f"Suricata base configuration {base} not found",
                hint="set [suricata] base_config to the distribution's suricata.yaml",
            )
        path = self.workdir / "suricata.yaml"
        text = _RUNTIME_CONFIG.format(base=base)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            self.workdir.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return path

    def _check_pcap(self, pcap: Path) -> None:
        if not pcap.exists():
            raise DetectionError("no such pcap file or folder", source=pcap)
        files = [pcap] if pcap.is_file() else [p for p in pcap.iterdir() if p.is_file()]
        if pcap.is_file():  # Suricata exits 0 on a file it cannot read: refuse it first
            with pcap.open("rb") as stream:
                if stream.read(4) not in PCAP_MAGICS:
                    raise DetectionError("not a pcap or pcapng file", source=pcap)
        size = sum(p.stat().st_size for p in files)
        if size > self.settings.max_pcap_bytes:
            raise DetectionError(
                f"pcap input is {size} bytes, over the {self.settings.max_pcap_bytes} limit",
                source=pcap,
                hint="raise [suricata] max_pcap_bytes or split the capture",
            )

    def command(
        self,
        pcap: Path,
        rules: Path | None,
        outdir: Path,
        *,
        config: Path | None = None,
        home_net: str | None = None,
        extra_args: Sequence[str] = (),
        strict: bool = False,
    ) -> list[str]:
        args = [str(self.require_binary()), "-c", str(config or self.runtime_config())]
        args += ["-r", str(pcap), "-l", str(outdir), "-k", "none"]
        args += ["--set", f"vars.address-groups.HOME_NET={home_net or self.settings.home_net}"]
        args += ["-S", str(rules)] if rules is not None else ["--disable-detection"]
        if strict:  # a rule that does not load fails the run instead of being skipped
            args.append("--init-errors-fatal")
        return args + list(extra_args)

    def run_pcap(
        self,
        pcap: Path,
        rules: Path | None,
        outdir: Path,
        *,
        config: Path | None = None,
        home_net: str | None = None,
        extra_args: Sequence[str] = (),
        strict: bool = False,
        cwd: Path | None = None,
    ) -> SuricataRun:
        """Run Suricata on ``pcap``; its eve.json is in ``outdir`` (emptied of old outputs)."""
        self._check_pcap(pcap)
        if rules is not None and not rules.is_file():
            raise DetectionError("no such rules file", source=rules)
        outdir.mkdir(parents=True, exist_ok=True)
        for name in RUN_OUTPUTS:
            (outdir / name).unlink(missing_ok=True)
        args = self.command(
            pcap,
            rules,
            outdir,
            config=config,
            home_net=home_net,
            extra_args=extra_args,
            strict=strict,
        )
        started = time.perf_counter()
        self._execute(args, pcap, cwd)
        return SuricataRun(outdir, outdir / "eve.json", time.perf_counter() - started, tuple(args))

    def _execute(self, args: list[str], pcap: Path, cwd: Path | None) -> None:
        limit = self.settings.run_timeout_seconds
        try:
            done = subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=limit)
        except subprocess.TimeoutExpired as e:
            raise DetectionError(
                f"suricata did not finish within {limit} s",
                source=pcap,
                hint="raise [suricata] run_timeout_seconds",
            ) from e
        if done.returncode != 0:
            raise DetectionError(
                f"suricata exited with {done.returncode}: {tail(done.stderr or done.stdout)}",
                source=pcap,
            )

    def test_rules(self, rules: Path, logdir: Path) -> None:
        """``suricata -T``: every rule must load (a rule Suricata would skip fails the test)."""
        logdir.mkdir(parents=True, exist_ok=True)
        args = [str(self.require_binary()), "-T", "-c", str(self.runtime_config())]
        args += ["-S", str(rules), "-l", str(logdir), "--init-errors-fatal"]
        args += ["--set", f"vars.address-groups.HOME_NET={self.settings.home_net}"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            errors = [ln for ln in (done.stderr + done.stdout).splitlines() if "E:" in ln]
            raise DetectionError(
                f"rules do not load: {tail(chr(10).join(errors) or done.stderr)}", source=rules
            )
