"""YARA rule sets: find rule files, compile them in one pass with per-file failures collected."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yara

from soc.errors import DetectionError

RULE_SUFFIXES = (".yar", ".yara")
PROJECT_RULESET = "soc"
PROJECT_RULES_DIR = Path(__file__).resolve().parents[1] / "rules" / "yara"
# Folder names that say nothing about a rule set: the parent's name is used instead.
_GENERIC_DIR_NAMES = {"yara", "rules", "yara-rules", "yara_rules", "signatures"}

# Variables some public rule sets (signature-base) expect; real values are given per scanned file.
DEFAULT_EXTERNALS: dict[str, str] = {
    "filename": "",
    "filepath": "",
    "extension": "",
    "filetype": "",
    "owner": "",
}

_ERROR_LOCATION = re.compile(r"^(?P<path>.+?)\((?P<line>\d+)\): (?:error: )?(?P<reason>.*)$", re.S)


@dataclass(frozen=True, slots=True)
class RuleRoot:
    """A directory (or single file) of rules and the rule-set name its alerts carry."""

    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class RuleFile:
    ruleset: str
    path: Path
    namespace: str  # "<ruleset>/<path relative to its root>": unique, and names the rule set
    digest: str  # sha256 of the file's bytes: the compiled-rules cache key is built from these


@dataclass(frozen=True, slots=True)
class RuleFileFailure:
    path: str
    reason: str
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class RuleFileSelection:
    files: tuple[RuleFile, ...]
    failures: tuple[RuleFileFailure, ...]


def ruleset_of(namespace: str) -> str:
    return namespace.split("/", 1)[0]


def rule_roots(
    extra: Sequence[Path], *, include_project: bool = True, project_dir: Path = PROJECT_RULES_DIR
) -> list[RuleRoot]:
    """The project's rules first, then each extra path named after its folder (made unique)."""
    roots = [RuleRoot(PROJECT_RULESET, project_dir)] if include_project else []
    taken = {r.name for r in roots}
    for path in extra:
        resolved = Path(path).expanduser().resolve()
        base = resolved.stem if resolved.suffix.lower() in RULE_SUFFIXES else resolved.name
        if base.lower() in _GENERIC_DIR_NAMES and resolved.parent.name:
            base = resolved.parent.name
        name, n = base or "rules", 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        roots.append(RuleRoot(name, resolved))
    return roots


def _iter_rule_paths(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.lower().endswith(RULE_SUFFIXES):
                yield Path(dirpath) / filename


def select_rule_files(
    roots: Sequence[RuleRoot], *, max_files: int, max_file_bytes: int
) -> RuleFileSelection:
    """Every rule file under the roots, hashed; oversized, unreadable or surplus ones fail."""
    files: list[RuleFile] = []
    failures: list[RuleFileFailure] = []
    for root in roots:
        if not root.path.exists():
            failures.append(RuleFileFailure(str(root.path), "rule path does not exist"))
            continue
        for path in _iter_rule_paths(root.path):
            if len(files) >= max_files:
                failures.append(RuleFileFailure(str(path), f"more than {max_files} rule files"))
                return RuleFileSelection(tuple(files), tuple(failures))
            failure, digest = _read_digest(path, max_file_bytes)
            if failure:
                failures.append(failure)
                continue
            rel = path.name if root.path.is_file() else path.relative_to(root.path).as_posix()
            files.append(RuleFile(root.name, path, f"{root.name}/{rel}", digest))
    return RuleFileSelection(tuple(files), tuple(failures))


def _read_digest(path: Path, max_bytes: int) -> tuple[RuleFileFailure | None, str]:
    try:
        if path.is_symlink():
            return RuleFileFailure(str(path), "symbolic link not followed"), ""
        if path.stat().st_size > max_bytes:
            return RuleFileFailure(str(path), f"larger than {max_bytes} bytes"), ""
        return None, hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        return RuleFileFailure(str(path), f"unreadable: {e.strerror or e}"), ""


def _compile(files: Sequence[RuleFile], externals: dict[str, str]) -> yara.Rules:
    # includes are off: each file must stand alone, so its digest is all the cache key needs
    return yara.compile(
        filepaths={f.namespace: str(f.path) for f in files}, externals=externals, includes=False
    )


def _culprit(message: str, pending: Sequence[RuleFile]) -> tuple[int, RuleFileFailure] | None:
    found = _ERROR_LOCATION.match(message)
    if not found:
        return None
    for index, rule_file in enumerate(pending):
        if str(rule_file.path) == found["path"]:
            reason = found["reason"].strip()
            return index, RuleFileFailure(str(rule_file.path), reason, int(found["line"]))
    return None


def _split_one_by_one(
    pending: Sequence[RuleFile], externals: dict[str, str]
) -> tuple[list[RuleFile], list[RuleFileFailure]]:
    good: list[RuleFile] = []
    bad: list[RuleFileFailure] = []
    for rule_file in pending:
        try:
            _compile([rule_file], externals)
            good.append(rule_file)
        except yara.Error as e:
            bad.append(RuleFileFailure(str(rule_file.path), str(e)))
    return good, bad


def compile_rule_files(
    files: Sequence[RuleFile], externals: dict[str, str] | None = None
) -> tuple[yara.Rules | None, list[RuleFile], list[RuleFileFailure]]:
    """Compile all files as one rule set; a file that fails is reported and left out.

    YARA compiles files in order and stops at the first error, which names its file: the files
    before it are known good, so the next attempt starts after it. Cost: about two full compiles
    whatever the number of broken files.
    """
    env = dict(DEFAULT_EXTERNALS if externals is None else externals)
    good: list[RuleFile] = []
    failures: list[RuleFileFailure] = []
    pending = list(files)
    while pending:
        try:
            rules = _compile(pending, env)
            if not failures:
                return rules, list(files), failures
            good.extend(pending)
            break
        except yara.Error as e:
            found = _culprit(str(e), pending)
            if found is None:  # not attributable to one file: find the bad ones individually
                ok, bad = _split_one_by_one(pending, env)
                good.extend(ok)
                failures.extend(bad)
                break
            index, failure = found
            good.extend(pending[:index])
            failures.append(failure)
            pending = pending[index + 1 :]
    if not good:
        return None, good, failures
    try:
        return _compile(good, env), good, failures
    except yara.Error as e:
        raise DetectionError(f"rule set failed to compile as a whole: {e}") from e
