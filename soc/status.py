"""What the platform holds right now, for ``soc status`` and the console's health line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from soc.state.models import Alert, Checkpoint
from soc.stores.base import EventQuery

COUNTERS_PREFIX = "counters/"

if TYPE_CHECKING:
    from soc.runtime import Platform


def collect_status(platform: Platform) -> dict[str, Any]:
    store = platform.store
    everything = EventQuery()
    newest = store.newest_timestamp(everything)
    with platform.state.session() as s:
        alerts = dict(s.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
        counters = {
            row.name.removeprefix(COUNTERS_PREFIX): json.loads(row.value)
            for row in s.scalars(
                select(Checkpoint).where(Checkpoint.name.startswith(COUNTERS_PREFIX))
            )
        }
    return {
        "home": str(platform.settings.home),
        "store": store.NAME,
        "events": store.count(everything),
        "newest_event": newest.isoformat() if newest else None,
        "datasets": {b.key: b.count for b in store.aggregate("event.dataset", everything, 50)},
        "dead_letters": store.dead_letter_count(),
        "alerts": {str(k): int(v) for k, v in alerts.items()},
        "ingest_counters": counters,
    }
