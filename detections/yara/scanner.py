"""Bounded YARA scans of files and trees: size, time, depth and count limits; no symlinks."""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yara

from detections.yara.cache import LoadedRuleSet
from detections.yara.events import ScannedFile, match_event, skipped_event
from detections.yara.rulesets import DEFAULT_EXTERNALS
from detections.yara.settings import YaraSettings
from soc.ecs import Event, utc_now
from soc.errors import DetectionError

_READ_CHUNK = 1_048_576


@dataclass(frozen=True, slots=True)
class Candidate:
    """A path the walk met: a regular file to scan, or why it will not be scanned."""

    path: Path
    size: int | None = None
    mtime_ns: int | None = None
    skip: str | None = None

    @property
    def mtime(self) -> datetime | None:
        if self.mtime_ns is None:
            return None
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)


@dataclass
class ScanReport:
    """What a scan covered; skipped files are counted by reason so limits never hide silently."""

    files_seen: int = 0
    files_scanned: int = 0
    files_matched: int = 0
    matches: int = 0
    bytes_scanned: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    truncated: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "files_seen": self.files_seen,
            "files_scanned": self.files_scanned,
            "files_matched": self.files_matched,
            "matches": self.matches,
            "bytes_scanned": self.bytes_scanned,
            "skipped": dict(self.skipped),
            "truncated": self.truncated,
        }


def _candidate(path: Path, st: os.stat_result) -> Candidate:
    if stat.S_ISLNK(st.st_mode):
        return Candidate(path, skip="symlink")
    if not stat.S_ISREG(st.st_mode):
        return Candidate(path, skip="not-regular-file")
    return Candidate(path, st.st_size, st.st_mtime_ns)


class TreeWalker:
    """Lists files under the given paths without following symlinks, within depth and count."""

    def __init__(self, max_depth: int, max_files: int) -> None:
        self.max_depth = max_depth
        self.max_files = max_files
        self.truncated = False
        self._count = 0

    def walk(self, paths: Iterable[Path]) -> Iterator[Candidate]:
        for path in paths:
            try:
                st = os.lstat(path)
            except OSError as e:
                yield Candidate(Path(path), skip=f"unreadable: {e.strerror or e}")
                continue
            if stat.S_ISDIR(st.st_mode):
                yield from self._walk_dir(Path(path), 0)
            else:
                yield from self._counted(_candidate(Path(path), st))
            if self.truncated:
                return

    def _counted(self, candidate: Candidate) -> Iterator[Candidate]:
        if self._count >= self.max_files:
            self.truncated = True
            return
        self._count += 1
        yield candidate

    def _walk_dir(self, directory: Path, depth: int) -> Iterator[Candidate]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            yield from self._counted(Candidate(directory, skip=f"unreadable: {e.strerror or e}"))
            return
        for entry in entries:
            if self.truncated:
                return
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth >= self.max_depth:
                    yield from self._counted(Candidate(path, skip="depth-limit"))
                else:
                    yield from self._walk_dir(path, depth + 1)
                continue
            try:
                yield from self._counted(_candidate(path, entry.stat(follow_symlinks=False)))
            except OSError as e:
                yield from self._counted(Candidate(path, skip=f"unreadable: {e.strerror or e}"))


class FileScanner:
    """Scans files with a loaded rule set under the configured limits; yields ECS events."""

    def __init__(
        self,
        rule_set: LoadedRuleSet,
        settings: YaraSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if rule_set.rules is None:
            raise DetectionError("no YARA rule compiled", hint="check the rule paths and failures")
        self.rules = rule_set.rules
        self.rules_key = rule_set.key
        self.settings = settings
        self.clock = clock

    def walker(self) -> TreeWalker:
        return TreeWalker(self.settings.max_depth, self.settings.max_files)

    def read(self, candidate: Candidate) -> tuple[ScannedFile | None, bytes, str | None]:
        """Read a file through a no-follow descriptor; the bytes hashed are the bytes matched."""
        limit = self.settings.max_file_bytes
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(candidate.path, flags)
        except OSError as e:
            return None, b"", "symlink" if os.path.islink(candidate.path) else f"unreadable: {e}"
        with os.fdopen(fd, "rb") as stream:
            st = os.fstat(stream.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None, b"", "not-regular-file"
            if st.st_size > limit:
                return None, b"", "too-large"
            data = bytearray()
            while chunk := stream.read(min(_READ_CHUNK, limit + 1 - len(data))):
                data.extend(chunk)
                if len(data) > limit:  # grew while we read it
                    return None, b"", "too-large"
        mtime = datetime.fromtimestamp(st.st_mtime_ns / 1e9, UTC)
        sha256 = hashlib.sha256(data).hexdigest()
        return ScannedFile(candidate.path, len(data), sha256, mtime), bytes(data), None

    def _externals(self, path: Path) -> dict[str, str]:
        values = dict(DEFAULT_EXTERNALS)
        values.update(filename=path.name, filepath=str(path), extension=path.suffix.lower())
        return values

    def match(self, scanned: ScannedFile, data: bytes) -> list[yara.Match]:
        return list(
            self.rules.match(
                data=data,
                externals=self._externals(scanned.path),
                timeout=self.settings.scan_timeout_seconds,
            )
        )

    def scan_candidate(self, candidate: Candidate, report: ScanReport) -> list[Event]:
        """Events for one candidate: its matches, or a skipped-file event if it was not scanned."""
        report.files_seen += 1
        reason = candidate.skip
        scanned: ScannedFile | None = None
        matches: list[yara.Match] = []
        if reason is None:
            scanned, data, reason = self.read(candidate)
            if scanned is not None:
                try:
                    matches = self.match(scanned, data)
                except yara.TimeoutError:
                    reason = "timeout"
                except yara.Error as e:
                    reason = f"scan-error: {e}"
        now = self.clock()
        if reason is not None or scanned is None:
            label = (reason or "unknown").split(":", 1)[0]
            report.skipped[label] += 1
            return [
                skipped_event(
                    candidate.path,
                    reason or label,
                    size=candidate.size,
                    mtime=candidate.mtime,
                    now=now,
                )
            ]
        report.files_scanned += 1
        report.bytes_scanned += scanned.size
        if matches:
            report.files_matched += 1
            report.matches += len(matches)
        limit = self.settings.max_strings_per_match
        return [match_event(m, scanned, now=now, max_strings=limit) for m in matches]

    def scan(
        self, paths: Iterable[Path], report: ScanReport, *, include_skipped: bool = False
    ) -> Iterator[Event]:
        """Alert events for every match under ``paths``; skipped-file events when asked."""
        walker = self.walker()
        for candidate in walker.walk(paths):
            for event in self.scan_candidate(candidate, report):
                if include_skipped or event["event"]["kind"] == "alert":
                    yield event
        report.truncated = report.truncated or walker.truncated
