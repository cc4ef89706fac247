"""Failed sign-in throttling per username and per client address (in memory, bounded)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: float = 900.0
    lockout_seconds: float = 900.0
    max_keys: int = 10_000  # oldest keys are forgotten first: memory stays bounded under a flood


class LoginThrottle:
    """After ``max_failures`` failures inside the window a key is locked for ``lockout_seconds``."""

    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return 0.0
            remaining = until - self._clock()
            if remaining <= 0:
                del self._locked_until[key]
                return 0.0
            return remaining

    def failure(self, key: str) -> bool:
        """Count a failure; True when this failure locks the key."""
        now = self._clock()
        with self._lock:
            times = self._failures.pop(key, None) or deque()
            times.append(now)
            while times and now - times[0] > self.policy.window_seconds:
                times.popleft()
            self._failures[key] = times
            while len(self._failures) > self.policy.max_keys:
                self._failures.popitem(last=False)
            if len(times) >= self.policy.max_failures:
                self._locked_until[key] = now + self.policy.lockout_seconds
                del self._failures[key]
                return True
            return False

    def success(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)
