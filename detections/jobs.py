"""Periodic detection work for ``soc up``: Sigma correlation rules over the embedded store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from soc.scheduler import Job

if TYPE_CHECKING:
    from soc.runtime import Platform

SCHEDULED_SIGMA_SECONDS = 60.0


def scheduled_sigma_job(platform: Platform) -> Job | None:
    """Correlation rules run incrementally from their checkpoints (embedded store only: on
    Elasticsearch the rules are exported to Elastic Security, see ``soc sigma export-elastic``)."""
    settings = platform.settings
    if settings.store.backend != "sqlite":
        return None
    from detections.alert_store import AlertWriter
    from detections.runtime import load_sigma
    from detections.sigma.correlations import scheduled_correlations
    from detections.sigma.scheduler import ScheduledRunner

    rules, issues = scheduled_correlations(load_sigma(settings))
    for issue in issues:
        print(f"soc: scheduled Sigma: {issue.path}: {issue.reason}", file=sys.stderr)
    if not rules:
        return None
    writer = AlertWriter(platform.state, window_seconds=settings.detections.group_window_seconds)
    runner = ScheduledRunner(settings.events_path, platform.state, rules, writer)
    return Job("sigma-scheduled", SCHEDULED_SIGMA_SECONDS, runner.run_once)
