"""suricata-verify cases (test.yaml, pcap, rules) run with the real Suricata, checks read from eve.

Supported: ``requires`` (min-version, version, features, files, pcap), ``args``, ``checks`` of
type ``filter`` (count, match with dotted keys, ``[n]`` indexes, has-key, not-has-key, lt, gt),
``stats`` and the line-count form of ``shell``. Anything else is reported as unsupported, never
passed silently.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from detections.suricata.engine import SuricataEngine
from soc.errors import DetectionError

# HOME_NET of Suricata's stock configuration, which the upstream cases are written against.
STOCK_HOME_NET = "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"
_LINE_COUNT = re.compile(r"^cat\s+([\w.\-/]+)\s*\|\s*wc\s+-l(?:\s*\|\s*xargs)?\s*$")
_INDEXED = re.compile(r"^(.*)\[(\d+)\]$")
Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    kind: str
    ok: bool | None  # None: not supported here, so neither passed nor failed
    detail: str


@dataclass
class CaseResult:
    name: str
    status: Status
    reason: str = ""
    checks: list[CheckResult] = field(default_factory=list)


def parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", str(text))[:3])


def find_value(doc: Any, name: str) -> Any:
    """``alert.signature_id``, ``tls.client_alpns[1]``, ``x.__len``; None when absent."""
    node = doc
    for part in name.split("."):
        if part == "__len":
            return len(node) if isinstance(node, list | str | dict) else None
        indexed = _INDEXED.match(part)
        key, index = (indexed[1], int(indexed[2])) if indexed else (part, None)
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
        if index is not None:
            if not isinstance(node, list) or index >= len(node):
                return None
            node = node[index]
    return node


def record_matches(record: Mapping[str, Any], match: Mapping[str, Any]) -> bool:
    for key, expected in match.items():
        if key == "has-key":
            if find_value(record, str(expected)) is None:
                return False
        elif key == "not-has-key":
            if find_value(record, str(expected)) is not None:
                return False
        elif find_value(record, key) != expected:
            return False
    return True


def read_eve(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class VerifyCase:
    """One suricata-verify test directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = directory.name
        test_yaml = directory / "test.yaml"
        loaded = (
            yaml.safe_load(test_yaml.read_text(encoding="utf-8")) if test_yaml.is_file() else {}
        )
        self.spec: dict[str, Any] = loaded if isinstance(loaded, dict) else {}

    def pcap(self) -> Path | None:
        if self.spec.get("pcap"):
            return (self.directory / str(self.spec["pcap"])).resolve()
        found = sorted(self.directory.glob("*.pcap")) + sorted(self.directory.glob("*.pcapng"))
        return found[0] if len(found) == 1 else None

    def rules(self) -> Path | None:
        found = sorted(self.directory.glob("*.rules"))
        if len(found) > 1:
            raise DetectionError("more than one rules file", source=self.directory)
        return found[0] if found else None

    def config(self) -> Path | None:
        path = self.directory / "suricata.yaml"
        return path if path.is_file() else None

    def args(self) -> list[str]:
        return [part for arg in self.spec.get("args") or [] for part in str(arg).split()]

    def skip_reason(self, version: tuple[int, ...], features: set[str]) -> str | None:
        """Why this case cannot run here, or None."""
        for key in ("command", "setup", "pre-check", "skip"):
            if key in self.spec:
                return f"'{key}' is not supported"
        if int(self.spec.get("exit-code", 0)) != 0:
            return "cases expecting a failing exit code are not supported"
        requires = self.spec.get("requires") or {}
        for key, value in requires.items():
            reason = _requirement(key, value, version, features, self.directory)
            if reason:
                return reason
        pcap = self.pcap()
        if requires.get("pcap", True) and (pcap is None or not pcap.exists()):
            return "no pcap"
        return None


def _requirement(
    key: str, value: Any, version: tuple[int, ...], features: set[str], directory: Path
) -> str | None:
    if key == "min-version":
        return None if version >= parse_version(value) else f"requires Suricata >= {value}"
    if key == "version":
        wanted = parse_version(value)
        return None if version[: len(wanted)] == wanted else f"only for Suricata {value}"
    if key == "features":
        missing = [f for f in value or [] if f not in features]
        return f"requires feature {missing[0]}" if missing else None
    if key == "files":
        absent = [f for f in value or [] if not (directory / f).exists()]
        return f"requires file {absent[0]}" if absent else None
    if key == "pcap":
        return None
    return f"requirement '{key}' is not supported"


def _filter_check(spec: Mapping[str, Any], outdir: Path, version: tuple[int, ...]) -> CheckResult:
    if "min-version" in spec and version < parse_version(spec["min-version"]):
        return CheckResult("filter", None, f"needs Suricata >= {spec['min-version']}")
    unknown = set(spec) - {"count", "match", "filename", "comment", "lt", "gt", "min-version"}
    if unknown:
        return CheckResult("filter", None, f"unsupported filter keys {sorted(unknown)}")
    records = read_eve(outdir / str(spec.get("filename", "eve.json")))
    count = sum(1 for r in records if record_matches(r, spec.get("match") or {}))
    ok = True
    if "count" in spec:
        ok = ok and count == int(spec["count"])
    if "lt" in spec:
        ok = ok and count < int(spec["lt"])
    if "gt" in spec:
        ok = ok and count > int(spec["gt"])
    return CheckResult("filter", ok, f"{count} record(s) matched {dict(spec.get('match') or {})}")


def _stats_check(spec: Mapping[str, Any], outdir: Path) -> CheckResult:
    stats = [r["stats"] for r in read_eve(outdir / "eve.json") if r.get("event_type") == "stats"]
    if not stats:
        return CheckResult("stats", False, "no stats record in eve.json")
    wrong = {k: find_value(stats[-1], k) for k, v in spec.items() if find_value(stats[-1], k) != v}
    return CheckResult("stats", not wrong, f"differs: {wrong}" if wrong else "all counters equal")


def _shell_check(spec: Mapping[str, Any], outdir: Path) -> CheckResult:
    # Only the "count the lines of an output file" form: shell text is never executed.
    found = _LINE_COUNT.match(str(spec.get("args", "")).strip())
    if not found or "expect" not in spec:
        return CheckResult("shell", None, f"unsupported shell check {spec.get('args')!r}")
    target = (outdir / found[1]).resolve()
    if outdir.resolve() not in target.parents:
        return CheckResult("shell", None, "shell check reads outside the output folder")
    lines = len(target.read_text(errors="replace").splitlines()) if target.is_file() else 0
    return CheckResult("shell", str(lines) == str(spec["expect"]).strip(), f"{lines} line(s)")


def evaluate_checks(
    checks: Sequence[Mapping[str, Any]], outdir: Path, version: tuple[int, ...]
) -> Iterator[CheckResult]:
    for check in checks:
        for kind, spec in check.items():
            if kind == "filter":
                yield _filter_check(spec, outdir, version)
            elif kind == "stats":
                yield _stats_check(spec, outdir)
            elif kind == "shell":
                yield _shell_check(spec, outdir)
            else:
                yield CheckResult(kind, None, "unsupported check type")


def build_features(engine: SuricataEngine) -> set[str]:
    done = subprocess.run(
        [str(engine.require_binary()), "--build-info"], capture_output=True, text=True, timeout=30
    )
    for line in done.stdout.splitlines():
        if line.startswith("Features:"):
            return set(line.split()[1:])
    return set()


def run_case(
    case: VerifyCase, engine: SuricataEngine, outdir: Path, features: set[str] | None = None
) -> CaseResult:
    """Run one case; a case Suricata cannot run (requirements) is skipped with the reason."""
    version = engine.version
    reason = case.skip_reason(version, build_features(engine) if features is None else features)
    if reason:
        return CaseResult(case.name, "skipped", reason)
    pcap = case.pcap()
    assert pcap is not None
    engine.run_pcap(
        pcap,
        case.rules(),
        outdir,
        config=case.config() or engine.settings.base_config,
        home_net=STOCK_HOME_NET,
        extra_args=case.args(),
        strict=True,
        cwd=case.directory,
    )
    results = list(evaluate_checks(case.spec.get("checks") or [], outdir, version))
    failed = [r for r in results if r.ok is False]
    status: Status = "failed" if failed else "passed"
    return CaseResult(case.name, status, "; ".join(r.detail for r in failed), results)


def discover_cases(root: Path) -> list[VerifyCase]:
    """Test directories (those with a test.yaml) under ``root/tests`` or ``root`` itself."""
    root = root.resolve()  # cases run with their own folder as working directory
    base = root / "tests" if (root / "tests").is_dir() else root
    return [VerifyCase(d) for d in sorted(base.iterdir()) if (d / "test.yaml").is_file()]
