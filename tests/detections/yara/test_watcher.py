"""The watched-folder scanner: new and changed files once each, uploads in progress later."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from collectors.base import DeadLetter
from detections.yara.cache import LoadedRuleSet
from detections.yara.scanner import FileScanner
from detections.yara.settings import YaraSettings
from detections.yara.watcher import FolderWatcher
from soc.ecs import Event
from tests.detections.yara.conftest import write
from tests.detections.yara.samples import POSITIVE, eicar


class ListSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, events: Iterable[Event]) -> None:
        self.events.extend(events)

    def reject(self, letter: DeadLetter) -> None:
        raise AssertionError(f"unexpected dead letter {letter}")


@pytest.fixture
def scanner(project_rules: LoadedRuleSet) -> FileScanner:
    return FileScanner(project_rules, YaraSettings(max_file_bytes=4096))


def _watcher(scanner: FileScanner, folder: Path, sink: ListSink, **kw: object) -> FolderWatcher:
    return FolderWatcher(scanner, [folder], sink, settle_seconds=5, **kw)  # type: ignore[arg-type]


def test_new_files_are_scanned_once(scanner: FileScanner, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    shell = POSITIVE["SOC_Webshell_PHP_Eval_Request"][0]
    write(uploads / "2026" / shell.name, shell.data, age_seconds=60)
    write(uploads / "2026" / "avatar.png", b"\x89PNG....", age_seconds=60)
    sink = ListSink()
    watcher = _watcher(scanner, uploads, sink)
    first = watcher.poll_once()
    assert (first.files_seen, first.scanned, first.alerts, first.pending) == (2, 2, 1, 0)
    assert [e["rule"]["name"] for e in sink.events] == ["SOC_Webshell_PHP_Eval_Request"]
    second = watcher.poll_once()
    assert (second.scanned, second.alerts) == (0, 0)
    assert len(sink.events) == 1


def test_upload_still_being_written_waits_until_it_settles(
    scanner: FileScanner, tmp_path: Path
) -> None:
    sink = ListSink()
    now = [time.time()]
    watcher = FolderWatcher(scanner, [tmp_path], sink, settle_seconds=5, clock=lambda: now[0])
    write(tmp_path / "eicar.com", eicar())
    assert watcher.poll_once().pending == 1
    assert sink.events == []
    now[0] += 10
    assert watcher.poll_once().alerts == 1
    assert sink.events[0]["rule"]["name"] == "SOC_Test_EICAR"


def test_changed_file_is_rescanned_and_state_survives_a_restart(
    scanner: FileScanner, tmp_path: Path
) -> None:
    folder, state = tmp_path / "evidence", tmp_path / "state" / "watch.json"
    path = write(folder / "note.txt", b"nothing here", age_seconds=60)
    sink = ListSink()
    assert _watcher(scanner, folder, sink, state_path=state).poll_once().scanned == 1
    restarted = _watcher(scanner, folder, sink, state_path=state)
    assert restarted.poll_once().scanned == 0
    write(path, eicar(), age_seconds=30)
    result = restarted.poll_once()
    assert (result.scanned, result.alerts) == (1, 1)
    scanner.rules_key = "other rules"
    assert _watcher(scanner, folder, sink, state_path=state).poll_once().scanned == 1


def test_skipped_files_are_reported_as_events_unless_disabled(
    scanner: FileScanner, tmp_path: Path
) -> None:
    write(tmp_path / "in" / "huge.iso", b"\0" * 5000, age_seconds=60)
    sink = ListSink()
    assert _watcher(scanner, tmp_path / "in", sink).poll_once().skipped == 1
    assert [e["event"]["action"] for e in sink.events] == ["yara-scan-skipped"]
    quiet = ListSink()
    _watcher(scanner, tmp_path / "in", quiet, report_skipped=False).poll_once()
    assert quiet.events == []


def test_watch_job_for_soc_up_polls_into_the_platform_store(
    soc_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detections.yara import jobs
    from detections.yara.settings import YaraWatchSettings
    from soc.config import load_settings
    from soc.runtime import Platform
    from soc.stores.base import EventQuery

    settings = load_settings(home=soc_home)
    platform = Platform.open(settings)
    try:
        assert jobs.yara_watch_job(platform) is None  # nothing to watch by default
        folder = tmp_path / "evidence"
        write(folder / "eicar.com", eicar(), age_seconds=60)
        watched = YaraSettings(watch=YaraWatchSettings(folders=[folder], interval_seconds=5))
        monkeypatch.setattr(jobs, "yara_settings", lambda _settings: watched)
        job = jobs.yara_watch_job(platform)
        assert job is not None and (job.name, job.interval_seconds) == ("yara-watch", 5)
        job.run()
        stored = platform.store.search(EventQuery(dataset="yara.scan", kind="alert"))
        assert [e["rule"]["name"] for e in stored] == ["SOC_Test_EICAR"]
    finally:
        platform.close()
