"""``soc ingest``: files of one source type through the whole pipeline, with a progress bar."""

from __future__ import annotations

from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from collectors.ingest import ingest_files
from collectors.registry import build_source_types, senders_timezone, source_type
from soc.config import Settings
from soc.errors import SocError
from soc.runtime import Platform

PROGRESS_MIN_BYTES = 8 * 1024 * 1024  # smaller inputs finish before a bar is worth drawing


def run_ingest(
    settings: Settings, type_name: str, paths: list[Path], *, show_progress: bool = True
) -> dict[str, int]:
    """Ingest ``paths`` once; return the run's counters (read, ingested, duplicates, rejected)."""
    zone = senders_timezone(settings.ingest, settings.console.timezone)
    types = build_source_types(settings.ingest, local_tz=zone)
    chosen = source_type(types, type_name)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SocError(f"no such file: {', '.join(missing)}", hint="check the path or the glob")
    platform = Platform.open(settings)
    try:
        pipeline = platform.pipeline()
        total = sum(p.stat().st_size for p in paths)
        if show_progress and total >= PROGRESS_MIN_BYTES:
            columns = (
                TextColumn("[bold]ingest"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, transient=True) as bar:
                task = bar.add_task("ingest", total=total)
                ingest_files(paths, chosen, pipeline, progress=lambda n: bar.advance(task, n))
        else:
            ingest_files(paths, chosen, pipeline)
        platform.save_counters(pipeline.stats)
        return pipeline.stats.total.as_dict()
    finally:
        platform.close()
