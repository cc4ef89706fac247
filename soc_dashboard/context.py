"""What every page, callback and route of one console app needs: stores, settings, the caller."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import flask

from soc.config import Settings
from soc.state.db import StateDB
from soc.stores.base import EventStore
from soc_dashboard.i18n import normalise_language
from soc_dashboard.throttle import LoginThrottle

EXTENSION = "soc_console"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user of the current request, as checked against the state DB."""

    user_id: int
    username: str
    role: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    settings: Settings
    state: StateDB
    store: EventStore
    tz: ZoneInfo
    user_throttle: LoginThrottle
    address_throttle: LoginThrottle
    _memo: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)

    def remembered(self, key: str, seconds: float, compute: Callable[[], T]) -> T:
        """``compute()`` at most once per ``seconds`` for ``key`` (for costly, slow-moving lists).

        Failures are not remembered: the next caller tries again.
        """
        now = time.monotonic()
        with self._memo_lock:
            hit = self._memo.get(key)
        if hit is not None and now - hit[0] < seconds:
            value: T = hit[1]
            return value
        value = compute()
        with self._memo_lock:
            self._memo[key] = (now, value)
        return value


def console() -> ConsoleContext:
    """The context of the app serving this request (several apps may live in one process)."""
    context: ConsoleContext = flask.current_app.extensions[EXTENSION]
    return context


def current_actor() -> Actor | None:
    actor: Actor | None = flask.g.get("actor")
    return actor


def current_language() -> str:
    chosen = flask.session.get("lang")
    return normalise_language(chosen or console().settings.console.language)
