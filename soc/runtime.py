"""The composition root: opens the configured stores and wires collectors, enrichment and
detections into one pipeline. Entry points (the CLI, ``soc up``) build a Platform once."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from soc.config import Settings
from soc.errors import ConfigError
from soc.metrics import IngestMetrics
from soc.pipeline import BatchObserver, Enricher, IngestStats, Pipeline
from soc.state.db import StateDB, open_state
from soc.state.models import Checkpoint
from soc.status import COUNTERS_PREFIX
from soc.stores import open_event_store
from soc.stores.base import EventStore


@dataclass
class Platform:
    """The stores of one deployment plus what the pipeline needs around them."""

    settings: Settings
    store: EventStore
    state: StateDB
    enrichers: list[Enricher] | None = None  # built on first use: rules and indicators load then
    observers: list[BatchObserver] | None = None
    metrics: IngestMetrics = field(default_factory=IngestMetrics)

    @classmethod
    def open(cls, settings: Settings) -> Platform:
        _make_home(settings)
        state = open_state(settings.state_url, password=os.environ.get(settings.state.password_env))
        store = open_event_store(settings)
        return cls(settings=settings, store=store, state=state)

    def pipeline(self) -> Pipeline:
        if self.enrichers is None:
            self.enrichers = build_enrichers(self)
        if self.observers is None:
            self.observers = build_observers(self)
        stats = IngestStats(listeners=[self.metrics.count])
        return Pipeline(
            self.store,
            batch_size=self.settings.ingest.batch_size,
            enrichers=self.enrichers,
            observers=self.observers,
            stats=stats,
            dead_letter_keep_bytes=self.settings.ingest.dead_letter_keep_bytes,
        )

    def save_counters(self, stats: IngestStats) -> None:
        """Add a run's counters to the persisted totals per source type (``soc status``)."""
        with self.state.session() as s:
            for source_type, counters in stats.by_source_type.items():
                name = f"{COUNTERS_PREFIX}{source_type or 'unknown'}"
                row = s.get(Checkpoint, name)
                totals = json.loads(row.value) if row else {}
                for key, value in counters.as_dict().items():
                    totals[key] = int(totals.get(key, 0)) + value
                if row is None:
                    s.add(Checkpoint(name=name, value=json.dumps(totals)))
                else:
                    row.value = json.dumps(totals)

    def close(self) -> None:
        self.store.close()
        self.state.close()


def _make_home(settings: Settings) -> None:
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise home_error(settings, e) from e


def home_error(settings: Settings, error: OSError) -> ConfigError:
    """The one-line error for a data directory that cannot be created or used."""
    home = settings.home
    reason = "not a directory" if home.exists() and not home.is_dir() else error.strerror
    return ConfigError(
        f"cannot use the data directory: {reason or error}",
        source=home,
        hint="choose another with --home or $SOC_HOME",
    )


def is_about_home(settings: Settings, error: OSError) -> bool:
    """Whether an OS error names the data directory or a path inside it."""
    if error.filename is None:
        return False
    named, home = Path(os.fsdecode(error.filename)), settings.home
    return named == home or home in named.parents


def build_enrichers(platform: Platform) -> list[Enricher]:
    """Inventory, GeoIP and threat-intel enrichment for every event (see enrichment/)."""
    from enrichment.setup import build_enrichers as enrichers_for

    settings = platform.settings
    return list(enrichers_for(settings.home, platform.state, settings.enrichment))


def build_observers(platform: Platform) -> list[BatchObserver]:
    """Streaming detection and alerting on every committed batch (see detections/)."""
    if not platform.settings.detections.streaming:
        return []
    from detections.runtime import streaming_detector

    return [streaming_detector(platform.settings, platform.state)]
