"""Prometheus metrics of the pipeline: ingest counters per source type and queue depths."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

COUNTER_NAMES = ("read", "ingested", "duplicates", "rejected")


class IngestMetrics:
    """One registry per process (never the global one), exposed on ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.records = Counter(
            "soc_ingest_records",
            "Records seen by the pipeline, by source type and outcome",
            ["source_type", "outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "soc_queue_depth", "Batches waiting between stages", ["stage"], registry=self.registry
        )
        self.spooled_bytes = Gauge(
            "soc_spool_bytes",
            "Bytes spooled to disk while the store is unavailable",
            registry=self.registry,
        )

    def count(self, source_type: str, deltas: dict[str, int]) -> None:
        """A ``soc.pipeline.CounterListener``."""
        for outcome, delta in deltas.items():
            if outcome in COUNTER_NAMES and delta:
                self.records.labels(source_type or "unknown", outcome).inc(delta)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
