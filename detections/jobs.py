"""Periodic detection work for ``soc up``: Sigma correlation rules over the embedded store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soc.scheduler import Job

if TYPE_CHECKING:
    from soc.runtime import Platform

SCHEDULED_SIGMA_SECONDS = 60.0


def scheduled_sigma_job(platform: Platform) -> Job | None:
    """Correlation rules run incrementally from their checkpoints (embedded store only: on
    Elasticsearch the rules are exported to Elastic Security, see ``soc sigma export-elastic``)."""
    if platform.settings.store.backend != "sqlite":
        return None
    from detections.runtime import scheduled_runner

    runner = scheduled_runner(platform.settings, platform.state)
    if not runner.rules:
        return None
    return Job("sigma-scheduled", SCHEDULED_SIGMA_SECONDS, runner.run_once)
