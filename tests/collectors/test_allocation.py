"""Bulk-ingestion collector settings apply inside the block only, and nest harmlessly."""

from __future__ import annotations

import gc

from collectors.allocation import BULK_THRESHOLD, bulk_allocation


def test_threshold_is_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with bulk_allocation():
        assert gc.get_threshold()[0] == BULK_THRESHOLD
        assert gc.get_freeze_count() > 0
        with bulk_allocation():
            assert gc.get_threshold()[0] == BULK_THRESHOLD
        assert gc.get_threshold()[0] == BULK_THRESHOLD
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_disabled_collector_is_left_alone() -> None:
    before = gc.get_threshold()
    gc.disable()
    try:
        with bulk_allocation():
            assert gc.get_threshold() == before and not gc.isenabled()
    finally:
        gc.enable()
