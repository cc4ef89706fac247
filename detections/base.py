"""Contracts shared by the detection engines: rule metadata, matches, load reports."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from soc.ecs import Event

Level = Literal["informational", "low", "medium", "high", "critical"]
LEVELS: tuple[Level, ...] = ("informational", "low", "medium", "high", "critical")
ENGINES = ("sigma", "suricata", "yara", "compliance")  # values of RuleInfo.engine and Alert.engine


def normalise_level(value: object) -> Level:
    """Sigma level or an engine's word for it → one of ``LEVELS`` (unknown → medium)."""
    text = str(value or "").strip().lower()
    for level in LEVELS:
        if text == level:
            return level
    return {"info": "informational", "warning": "medium", "crit": "critical"}.get(text, "medium")  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What an alert needs to know about the rule that raised it."""

    id: str
    title: str
    level: Level = "medium"
    tags: tuple[str, ...] = ()
    engine: str = "sigma"
    source: str = ""  # file the rule came from
    description: str = ""
    status: str = ""

    @property
    def techniques(self) -> tuple[str, ...]:
        """ATT&CK technique ids from ``attack.t1059.001`` style tags, upper-cased."""
        out = []
        for tag in self.tags:
            name = tag.lower().removeprefix("attack.")
            if tag.lower().startswith("attack.") and name[:1] == "t" and name[1:2].isdigit():
                out.append(name.upper())
        return tuple(out)

    @property
    def tactics(self) -> tuple[str, ...]:
        """ATT&CK tactic short names (``execution``, ``lateral-movement``) from the tags."""
        out = []
        for tag in self.tags:
            low = tag.lower()
            name = low.removeprefix("attack.")
            if low.startswith("attack.") and not (name[:1] in "tsg" and name[1:2].isdigit()):
                out.append(name.replace("_", "-"))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Match:
    """One rule firing: on a single event (streaming) or on a group of events (correlation)."""

    rule: RuleInfo
    event: Event
    event_ids: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        if self.event_ids:
            return self.event_ids
        eid = (self.event.get("event") or {}).get("id")
        return (str(eid),) if eid else ()


@dataclass(frozen=True, slots=True)
class LoadIssue:
    """A rule not in the streaming set: ``failed`` (broken), ``skipped`` (unsupported here) or
    ``scheduled`` (a correlation, or a rule only a correlation uses: it runs scheduled)."""

    path: str
    reason: str
    kind: Literal["skipped", "failed", "scheduled"] = "failed"
    rule_id: str | None = None
    title: str | None = None


@dataclass
class LoadReport:
    """Outcome of loading a rule tree; every broken rule is listed, none stops the load."""

    loaded: int = 0
    issues: list[LoadIssue] = field(default_factory=list)
    files: int = 0
    cached: int = 0

    @property
    def skipped(self) -> list[LoadIssue]:
        return [i for i in self.issues if i.kind == "skipped"]

    @property
    def failed(self) -> list[LoadIssue]:
        return [i for i in self.issues if i.kind == "failed"]

    @property
    def scheduled(self) -> list[LoadIssue]:
        return [i for i in self.issues if i.kind == "scheduled"]

    def summary(self) -> str:
        return (
            f"{self.loaded} loaded, {len(self.scheduled)} scheduled, {len(self.skipped)} skipped,"
            f" {len(self.failed)} failed ({self.files} files, {self.cached} from cache)"
        )


class StreamingEngine(ABC):
    """An engine that tests single events as they are committed."""

    NAME: ClassVar[str]

    @abstractmethod
    def match(self, events: Sequence[Event]) -> Iterator[Match]:
        """Every (rule, event) pair that fires, in event order."""

    @abstractmethod
    def rules(self) -> Iterable[RuleInfo]: ...
