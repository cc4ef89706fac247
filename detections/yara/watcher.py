"""Watched folders: poll upload and evidence folders, scan each new or changed file once."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors.base import EventSink
from detections.yara.scanner import Candidate, FileScanner, ScanReport

# (size, mtime_ns) of the version of a file that was last scanned
_Seen = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PollRound:
    files_seen: int
    scanned: int
    alerts: int
    skipped: int
    pending: int  # files still changing (being uploaded): scanned in a later round


class FolderWatcher:
    """Scans files that appeared or changed since the last round and hands events to a sink.

    Polling (not inotify) works the same on local disks, NFS and SMB shares of upload servers.
    A file is scanned once it has been unchanged for ``settle_seconds``, so a half-written upload
    is not scanned (and missed) before its content arrives. The seen-state is kept in
    ``state_path`` so a restart does not rescan everything; event ids are deterministic anyway.
    """

    def __init__(
        self,
        scanner: FileScanner,
        folders: Sequence[Path],
        sink: EventSink,
        *,
        settle_seconds: float = 2.0,
        report_skipped: bool = True,
        state_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.scanner = scanner
        self.folders = [Path(f) for f in folders]
        self.sink = sink
        self.settle_seconds = settle_seconds
        self.report_skipped = report_skipped
        self.state_path = state_path
        self.clock = clock
        self.report = ScanReport()
        self._seen: dict[str, _Seen] = self._load_state()

    def _load_state(self) -> dict[str, _Seen]:
        if self.state_path is None:
            return {}
        try:
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            if raw.get("rules") != self.scanner.rules_key:
                return {}  # new or changed rules: every file is worth scanning again
            return {str(k): (int(v[0]), int(v[1])) for k, v in raw["files"].items()}
        except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
            return {}  # a lost or damaged state only costs a rescan

    def _save_state(self) -> None:
        if self.state_path is None:
            return
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(f".tmp{os.getpid()}")
        state = {"rules": self.scanner.rules_key, "files": self._seen}
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def _is_settled(self, candidate: Candidate) -> bool:
        if candidate.mtime_ns is None:
            return True
        return self.clock() - candidate.mtime_ns / 1e9 >= self.settle_seconds

    def poll_once(self) -> PollRound:
        """One pass over the folders; returns what it did."""
        walker = self.scanner.walker()
        present: set[str] = set()
        seen = scanned = alerts = skipped = pending = 0
        for candidate in walker.walk(self.folders):
            seen += 1
            key = str(candidate.path)
            present.add(key)
            version = (candidate.size or 0, candidate.mtime_ns or 0)
            if self._seen.get(key) == version:
                continue
            if candidate.skip is None and not self._is_settled(candidate):
                pending += 1
                continue
            events = self.scanner.scan_candidate(candidate, self.report)
            self._seen[key] = version
            scanned += 1
            alerts += sum(1 for e in events if e["event"]["kind"] == "alert")
            skipped += sum(1 for e in events if e["event"]["kind"] != "alert")
            if not self.report_skipped:
                events = [e for e in events if e["event"]["kind"] == "alert"]
            if events:
                self.sink.emit(events)
        if not walker.truncated:  # forget deleted files only when the walk saw everything
            self._seen = {k: v for k, v in self._seen.items() if k in present}
        self.report.truncated = self.report.truncated or walker.truncated
        self._save_state()
        return PollRound(seen, scanned, alerts, skipped, pending)

    def run(
        self,
        stop: threading.Event,
        interval_seconds: float,
        after_round: Callable[[PollRound], None] | None = None,
    ) -> None:
        """Poll until ``stop`` is set; ``after_round`` can flush the pipeline or log progress."""
        while not stop.is_set():
            result = self.poll_once()
            if after_round is not None:
                after_round(result)
            stop.wait(interval_seconds)
