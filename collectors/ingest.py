"""One-shot import of files of a source type into the pipeline (``soc ingest``)."""

from __future__ import annotations

import dataclasses
import gzip
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, cast

from collectors.allocation import bulk_allocation
from collectors.base import DeadLetter, RawRecord, source_key
from collectors.dispatch import parse_record
from collectors.registry import SourceType
from soc.ecs import Event
from soc.errors import SocError
from soc.pipeline import Pipeline

EMIT_EVERY = 256  # events handed to the pipeline at once (it batches for the store itself)
COUNT_EVERY = 1024  # records between counter and progress updates


def ingest_files(
    paths: Sequence[Path],
    source_type: SourceType,
    sink: Pipeline,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Read, parse and hand every record of ``paths`` to ``sink``, then flush it.

    ``progress`` receives the number of bytes consumed since its previous call (a progress bar's
    ``advance``). ``.gz`` files and ``.zip`` archives (each member a source) are read in place.
    Missing paths are refused before anything is ingested.
    """
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise SocError("not a readable file", source=missing[0], hint="check the path")
    sink.source_type = source_type.name
    with bulk_allocation():
        _ingest_paths(paths, source_type, sink, progress)
    sink.flush()


def _ingest_paths(
    paths: Sequence[Path],
    source_type: SourceType,
    sink: Pipeline,
    progress: Callable[[int], None] | None,
) -> None:
    for path in paths:
        try:
            if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
                _ingest_zip(path, source_type, sink)
                if progress is not None:
                    progress(path.stat().st_size)
                continue
            packed = path.suffix.lower() == ".gz"
            with _open(path, packed) as stream:
                report = None if packed else progress
                ingest_stream(stream, source_key(path), source_type, sink, report)
            if progress is not None and packed:
                progress(path.stat().st_size)
        except (OSError, zipfile.BadZipFile, EOFError) as e:
            raise SocError(f"cannot read: {e}", source=path) from e


def _open(path: Path, packed: bool) -> BinaryIO:
    return cast(BinaryIO, gzip.open(path, "rb") if packed else path.open("rb"))


def _ingest_zip(path: Path, source_type: SourceType, sink: Pipeline) -> None:
    """Each member of a zip archive is a source of its own (``archive.zip!member``)."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            with archive.open(member) as stream:
                source = f"{source_key(path)}!{member.filename}"
                ingest_stream(cast(BinaryIO, stream), source, source_type, sink)


def ingest_stream(
    stream: BinaryIO,
    source: str,
    source_type: SourceType,
    sink: Pipeline,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Ingest one open stream named ``source`` (its stable key, part of every event id)."""
    items = source_type.reader.read(stream, source)
    reported = [0]

    def report() -> None:
        reported[0] = _advance(progress, stream, reported[0])

    feed(items, source_type, sink, report if progress is not None else None)


def feed(
    items: Iterable[RawRecord | DeadLetter],
    source_type: SourceType,
    sink: Pipeline,
    every: Callable[[], object] | None = None,
) -> int:
    """Parse raw records and hand events and dead letters to ``sink``; return how many were read.

    Events reach the sink before this returns, so a checkpoint hook registered afterwards covers
    them. ``every`` is called every ``COUNT_EVERY`` records (progress reporting).
    """
    name, parsers, keep_bytes = source_type.name, source_type.parsers, source_type.keep_bytes
    pending: list[Event] = []
    read = 0
    for item in items:
        read += 1
        if isinstance(item, DeadLetter):
            sink.reject(item if item.source_type else dataclasses.replace(item, source_type=name))
        else:
            outcome = parse_record(parsers, item, name, keep_bytes)
            if isinstance(outcome, DeadLetter):
                sink.reject(outcome)
            else:
                pending.extend(outcome)
                if len(pending) >= EMIT_EVERY:
                    sink.emit(pending)
                    pending = []
        if read % COUNT_EVERY == 0:
            sink.stats.add(name, read=COUNT_EVERY)
            if every is not None:
                every()
    if pending:
        sink.emit(pending)
    sink.stats.add(name, read=read % COUNT_EVERY)
    if every is not None:
        every()
    return read


def _advance(progress: Callable[[int], None] | None, stream: BinaryIO, reported: int) -> int:
    """Report the bytes consumed since ``reported`` (a stream position); return the new one."""
    if progress is None:
        return reported
    try:
        position = stream.tell()
    except (OSError, ValueError):
        return reported
    if position > reported:
        progress(position - reported)
        return position
    return reported
