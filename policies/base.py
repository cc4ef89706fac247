"""The policy-engine contract: compile a bundle of Rego modules plus data once, then evaluate
named documents against many inputs. Implementations: embedded regopy, or an OPA server."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from soc.config import PolicySettings
from soc.errors import PolicyError

# Document paths the platform queries, by name. Both engines read exactly these.
QUERIES: Mapping[str, str] = {
    "systems": "compliance/systems/encoded",
    "classification": "levels/classification/result",
    "priority": "triage/priority/decision",
    "reporting": "triage/reporting/decision",
    "sharing": "sharing/outbound/decision",
}


@dataclass(frozen=True)
class PolicyBundle:
    """Rego modules (name → source, test modules excluded) and the base documents (``data``)."""

    modules: Mapping[str, str]
    data: Mapping[str, Any]
    queries: Mapping[str, str] = field(default_factory=lambda: dict(QUERIES))


class PolicyEngine(ABC):
    """Compile once (``load``), evaluate many (``evaluate``/``evaluate_many``)."""

    NAME: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: PolicySettings) -> PolicyEngine:
        """An engine as the configuration describes it (not yet loaded)."""

    @abstractmethod
    def load(self, bundle: PolicyBundle) -> None:
        """Compile or push the bundle; raise PolicyError with the module and reason on failure."""

    @abstractmethod
    def evaluate(self, query: str, input_doc: Mapping[str, Any]) -> Any:
        """The value of the named document for one input; None when it is undefined."""

    def evaluate_many(self, query: str, inputs: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
        for doc in inputs:
            yield self.evaluate(query, doc)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the engine holds (connections, compiled bundles)."""


def _registry() -> dict[str, type[PolicyEngine]]:
    from policies.engines.opa import OpaEngine
    from policies.engines.regopy import RegopyEngine

    registry: dict[str, type[PolicyEngine]] = {}
    for engine in (RegopyEngine, OpaEngine):
        if engine.NAME in registry:
            raise PolicyError(f"two policy engines named {engine.NAME!r}")
        registry[engine.NAME] = engine
    return registry


def engines() -> dict[str, type[PolicyEngine]]:
    """Every engine by NAME (built on call: nothing is imported at module import)."""
    return _registry()


def create_engine(settings: PolicySettings, bundle: PolicyBundle | None = None) -> PolicyEngine:
    """The engine ``settings.engine`` names, with the bundle (default: the shipped one) loaded."""
    from policies.bundle import default_bundle

    registry = engines()
    if settings.engine not in registry:
        raise PolicyError(
            f"unknown policy engine {settings.engine!r}", hint=f"use {sorted(registry)}"
        )
    engine = registry[settings.engine].from_settings(settings)
    engine.load(bundle or default_bundle())
    return engine
