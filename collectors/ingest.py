"""One-shot import of files of a source type into the pipeline (``soc ingest``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from collectors.base import DeadLetter, source_key
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
    ``advance``). Unreadable paths are refused before anything is ingested.
    """
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise SocError("not a readable file", source=missing[0], hint="check the path")
    sink.source_type = source_type.name
    for path in paths:
        try:
            stream = path.open("rb")
        except OSError as e:
            raise SocError(f"cannot open: {e.strerror}", source=path) from e
        with stream:
            ingest_stream(stream, source_key(path), source_type, sink, progress)
    sink.flush()


def ingest_stream(
    stream: BinaryIO,
    source: str,
    source_type: SourceType,
    sink: Pipeline,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Ingest one open stream named ``source`` (its stable key, part of every event id)."""
    name, parsers, keep_bytes = source_type.name, source_type.parsers, source_type.keep_bytes
    pending: list[Event] = []
    read = 0
    reported = 0
    for item in source_type.reader.read(stream, source):
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
            reported = _advance(progress, item.offset, reported)
    if pending:
        sink.emit(pending)
    sink.stats.add(name, read=read % COUNT_EVERY)
    if progress is not None:
        end = stream.tell()
        if end > reported:
            progress(end - reported)


def _advance(progress: Callable[[int], None] | None, offset: int | None, reported: int) -> int:
    if progress is None or offset is None or offset <= reported:
        return reported
    progress(offset - reported)
    return offset
