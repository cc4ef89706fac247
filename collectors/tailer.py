"""Following log files (globs) as they grow: rotation by rename or copytruncate, saved offsets.

An offset is saved only from a ``Pipeline.after_commit`` hook, after the events before it are in
the store; a crash therefore replays at most one uncommitted stretch, which deterministic event
ids turn into ignored duplicates.
"""

from __future__ import annotations

import asyncio
import glob
import os
import sys
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from collectors.base import DeadLetter, RawRecord, source_key
from collectors.checkpoints import CheckpointStore
from collectors.ingest import feed
from collectors.readers import LineReader
from collectors.registry import SourceType
from soc.errors import ConfigError, StoreUnavailable
from soc.pipeline import Pipeline

MAX_FILES = 4096  # files followed by one tailer: a glob matching more is a configuration mistake


@dataclass
class _Followed:
    path: Path
    source: str
    handle: BinaryIO
    inode: int
    offset: int


class FileTailer:
    """Tails every file matching ``patterns`` into ``sink``; call ``poll()`` or ``run()``."""

    def __init__(
        self,
        name: str,
        patterns: Sequence[str],
        source_type: SourceType,
        sink: Pipeline,
        checkpoints: CheckpointStore,
        *,
        from_beginning: bool = False,
        zone: str | None = None,
        agency: str | None = None,
    ) -> None:
        if not isinstance(source_type.reader, LineReader):
            raise ConfigError(f"source type {source_type.name} cannot be tailed (not line-based)")
        self.name = name
        self.patterns = list(patterns)
        self.source_type = source_type
        self.reader: LineReader = source_type.reader
        self.sink = sink
        self.checkpoints = checkpoints
        self.from_beginning = from_beginning
        self.zone, self.agency = zone, agency
        self.files: dict[Path, _Followed] = {}

    def discover(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.patterns:
            found.update(Path(p) for p in glob.glob(os.path.expanduser(pattern), recursive=True))
        paths = sorted(p for p in found if p.is_file())
        if len(paths) > MAX_FILES:
            raise ConfigError(f"source {self.name}: {len(paths)} files match, limit {MAX_FILES}")
        return paths

    def poll(self) -> int:
        """One pass over every matching file; returns the number of records read."""
        self.sink.source_type = self.source_type.name
        read = 0
        current = set(self.discover())
        for path in list(self.files):
            if path not in current:  # deleted or renamed away and not matched any more
                read += self._finish(self.files.pop(path))
        for path in current:
            read += self._follow(path)
        return read

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            self.step()
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                continue

    def step(self) -> None:
        """Poll and commit; if the store (and its spool) cannot take the data, rewind to the
        saved offsets so the same lines are read again next time."""
        try:
            self.poll()
            self.sink.flush()
        except StoreUnavailable:
            self.rewind()
        except Exception as e:  # must not end the tailer. Not rewound: a fault that follows a
            # record would stop every file for good; the lines of this pass are reported lost
            print(f"soc collect: {self.name}: events lost: {type(e).__name__}: {e}",
                  file=sys.stderr)  # fmt: skip

    def rewind(self) -> None:
        for followed in self.files.values():
            saved = self.checkpoints.load(self._checkpoint_name(followed.path)) or {}
            if saved.get("inode") == followed.inode:
                followed.offset = int(saved.get("offset", 0))

    def close(self) -> None:
        for followed in self.files.values():
            followed.handle.close()
        self.files.clear()

    def _checkpoint_name(self, path: Path) -> str:
        return f"tail:{self.name}:{source_key(path)}"

    def _follow(self, path: Path) -> int:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return 0
        followed = self.files.get(path)
        read = 0
        if followed is not None and followed.inode != stat.st_ino:  # rotated by rename
            read += self._finish(followed)
            followed = None
        if followed is None:
            followed = self._open(path, stat.st_ino, stat.st_size)
            if followed is None:
                return read
            self.files[path] = followed
        if stat.st_size < followed.offset:  # copytruncate: the file starts again
            followed.offset = 0
        if stat.st_size > followed.offset:
            read += self._read(followed, complete_only=True)
        return read

    def _open(self, path: Path, inode: int, size: int) -> _Followed | None:
        saved = self.checkpoints.load(self._checkpoint_name(path))
        if saved is not None and saved.get("inode") == inode and saved.get("offset", 0) <= size:
            offset = int(saved["offset"])
        elif saved is not None or self.from_beginning:
            offset = 0  # a new file since the checkpoint (rotated while stopped), or asked for
        else:
            offset = size
        try:
            handle = path.open("rb")
        except OSError:
            return None
        return _Followed(path, source_key(path), handle, inode, offset)

    def _finish(self, followed: _Followed) -> int:
        """Read what is left of a file that will not grow any more, last partial line included."""
        read = self._read(followed, complete_only=False)
        followed.handle.close()
        return read

    def _read(self, followed: _Followed, *, complete_only: bool) -> int:
        items: Iterator[RawRecord | DeadLetter]
        if complete_only:
            lines = self.reader.read_complete(followed.handle, followed.source, followed.offset)
            resume = _Resume(lines)
            items = iter(resume)
        else:
            resume = None
            items = self.reader.read(followed.handle, followed.source, followed.offset)
        if self.zone or self.agency:
            items = (self._place(item) for item in items)
        read = feed(items, self.source_type, self.sink)
        followed.offset = resume.value if resume is not None else followed.handle.tell()
        state = {"inode": followed.inode, "offset": followed.offset}
        name = self._checkpoint_name(followed.path)
        self.sink.after_commit(lambda: self.checkpoints.save(name, state))
        return read

    def _place(self, item: RawRecord | DeadLetter) -> RawRecord | DeadLetter:
        if isinstance(item, RawRecord):
            return item._replace(zone=self.zone, agency=self.agency)
        return item


class _Resume:
    """Iterates a generator and keeps its return value (the offset to resume from)."""

    def __init__(self, generator: Generator[RawRecord | DeadLetter, None, int]) -> None:
        self.generator = generator
        self.value = 0

    def __iter__(self) -> Iterator[RawRecord | DeadLetter]:
        self.value = yield from self.generator
