"""The one exception root of the platform; every error can say where it came from."""

from __future__ import annotations

from pathlib import Path


class SocError(Exception):
    """Root of every error the platform raises on purpose.

    ``source`` is the file, URL or stream the problem is in, ``line`` its line (1-based) when known,
    ``hint`` what the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = str(source) if source is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        text = f"{where}{self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class ConfigError(SocError):
    """The configuration file or an option is invalid."""


class ParseError(SocError):
    """A record could not be parsed by the parser that claimed it."""


class RecordRejected(ParseError):
    """A record was refused before parsing (oversized, invalid encoding, binary)."""


class StoreError(SocError):
    """An event or state store failed or is unavailable."""


class StoreUnavailable(StoreError):
    """The store cannot be reached now; the caller should spool and retry later."""


class ContentError(SocError):
    """Rules, policies, playbooks, scenarios or inventories that do not validate."""


class DetectionError(SocError):
    """A detection engine could not compile or run a rule."""


class PolicyError(SocError):
    """A policy could not be compiled or evaluated."""


class AuthError(SocError):
    """Authentication or authorisation refused."""
