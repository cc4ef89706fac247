"""Periodic jobs of ``soc up``: scheduled detections, compliance evaluation, retention.

A small thread-based scheduler: each job runs at its interval, one at a time per job; a failing
job is logged with its error and tried again at the next interval (the only broad except).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], object]


class Scheduler:
    def __init__(self, jobs: list[Job]) -> None:
        names = [j.name for j in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate job names: {names}")
        self.jobs = jobs
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.runs: dict[str, int] = {j.name: 0 for j in jobs}
        self.failures: dict[str, str] = {}

    def _loop(self, job: Job) -> None:
        while not self._stop.is_set():
            self.run_once(job)
            self._stop.wait(job.interval_seconds)

    def run_once(self, job: Job) -> None:
        try:
            job.run()
            self.failures.pop(job.name, None)
        except Exception as e:  # a plugin loop: record what failed, keep the others running
            self.failures[job.name] = f"{type(e).__name__}: {e}"
            log.exception("job %s failed", job.name)
        self.runs[job.name] += 1

    def start(self) -> None:
        for job in self.jobs:
            t = threading.Thread(
                target=self._loop, args=(job,), name=f"job-{job.name}", daemon=True
            )
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
