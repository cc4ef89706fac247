"""Garbage-collector settings for bulk ingestion: events are acyclic dicts made by the million, so
cycle detection every 700 allocations is mostly wasted work (a quarter of the parse time)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000  # allocations between young collections while ingesting


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Collect cycles less often while the block runs; the previous settings come back after.

    Objects alive on entry (modules, rules, inventory) are frozen out of the collections'
    reach meanwhile. Nested use is harmless: only the outermost block changes anything.
    """
    previous = gc.get_threshold()
    if previous[0] >= BULK_THRESHOLD or not gc.isenabled():
        yield
        return
    gc.freeze()
    gc.set_threshold(BULK_THRESHOLD, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
