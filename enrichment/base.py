"""Contract of the enrichers: callables that add context to an event in place, before storage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from soc.ecs import Event


class EventEnricher(ABC):
    """Adds fields to one event; must be fast (O(1)/O(log n) per field) and never raise on data.

    Instances are passed to ``soc.pipeline.Pipeline(enrichers=...)``; they never touch storage.
    """

    NAME: ClassVar[str]

    @abstractmethod
    def __call__(self, event: Event) -> None: ...
