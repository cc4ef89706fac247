"""Contract of the parsers a syslog message is routed to by its program (sshd, %ASA, FortiGate…)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from collectors.syslog_header import SyslogHeader
from soc.ecs import Event


class ProgramParser(ABC):
    """Adds vendor fields to a generic syslog event whose program or message it claims.

    ``claims`` is cheap (a set lookup or a prefix test); ``apply`` enriches the event in place and
    may raise ``soc.errors.ParseError`` — the event then stays a valid generic syslog event.
    """

    NAME: ClassVar[str]
    DATASET: ClassVar[str]
    MODULE: ClassVar[str]
    PROGRAMS: ClassVar[frozenset[str]] = frozenset()

    def claims(self, program: str | None, message: str) -> bool:
        return program in self.PROGRAMS

    @abstractmethod
    def apply(self, event: Event, header: SyslogHeader) -> None: ...
