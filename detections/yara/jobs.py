"""The watched-folder scanner as a periodic job of ``soc up`` (soc.scheduler.Job)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detections.yara.cache import load_rule_set
from detections.yara.rulesets import rule_roots
from detections.yara.scanner import FileScanner
from detections.yara.settings import cache_dir, yara_settings
from detections.yara.watcher import FolderWatcher, PollRound
from soc.scheduler import Job

if TYPE_CHECKING:
    from soc.runtime import Platform

JOB_NAME = "yara-watch"


def yara_watch_job(platform: Platform) -> Job | None:
    """A job polling ``[yara.watch] folders`` into the platform's pipeline; None when unset.

    Rules are compiled (or loaded from the cache) once, here; each run is one polling round,
    committed before the job returns so alerts follow within one interval.
    """
    settings = platform.settings
    section = yara_settings(settings)
    if not section.watch.folders:
        return None
    roots = rule_roots(section.rule_paths, include_project=section.include_project_rules)
    loaded = load_rule_set(roots, section, cache_dir(settings))
    pipeline = platform.pipeline()
    pipeline.source_type = "yara"
    watcher = FolderWatcher(
        FileScanner(loaded, section),
        section.watch.folders,
        pipeline,
        settle_seconds=section.watch.settle_seconds,
        report_skipped=section.watch.report_skipped,
        state_path=settings.home / "yara" / "watch-state.json",
    )

    def one_round() -> PollRound:
        result = watcher.poll_once()
        pipeline.flush()
        return result

    return Job(JOB_NAME, section.watch.interval_seconds, one_round)
