"""``soc ingest``: files of one source type through the whole pipeline, with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from collectors.ingest import ingest_files
from collectors.registry import build_source_types, senders_timezone, source_type
from soc.config import Settings
from soc.errors import SocError
from soc.runtime import Platform

PROGRESS_MIN_BYTES = 8 * 1024 * 1024  # smaller inputs finish before a bar is worth drawing


def ingest_into(
    platform: Platform,
    type_name: str,
    paths: list[Path],
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Ingest ``paths`` through ``platform``'s pipeline; save and return the run's counters."""
    settings = platform.settings
    zone = senders_timezone(settings.ingest, settings.console.timezone)
    chosen = source_type(build_source_types(settings.ingest, local_tz=zone), type_name)
    pipeline = platform.pipeline()
    ingest_files(paths, chosen, pipeline, progress=progress)
    platform.save_counters(pipeline.stats)
    return pipeline.stats.total.as_dict()


def run_ingest(
    settings: Settings, type_name: str, paths: list[Path], *, show_progress: bool = True
) -> dict[str, int]:
    """Ingest ``paths`` once; return the run's counters (read, ingested, duplicates, rejected)."""
    zone = senders_timezone(settings.ingest, settings.console.timezone)
    source_type(build_source_types(settings.ingest, local_tz=zone), type_name)  # fail early
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SocError(f"no such file: {', '.join(missing)}", hint="check the path or the glob")
    platform = Platform.open(settings)
    try:
        total = sum(p.stat().st_size for p in paths)
        if not (show_progress and total >= PROGRESS_MIN_BYTES):
            return ingest_into(platform, type_name, paths)
        columns = (TextColumn("[bold]ingest"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("ingest", total=total)
            return ingest_into(platform, type_name, paths, progress=lambda n: bar.advance(task, n))
    finally:
        platform.close()
