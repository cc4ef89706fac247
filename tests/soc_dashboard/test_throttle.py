"""Failed sign-in throttling with a controllable clock."""

from __future__ import annotations

from soc_dashboard.throttle import LoginThrottle, ThrottlePolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_locks_after_the_limit_and_unlocks_after_the_lockout() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottlePolicy(max_failures=3, lockout_seconds=60), clock)
    assert not throttle.failure("ana")
    assert not throttle.failure("ana")
    assert throttle.retry_after("ana") == 0
    assert throttle.failure("ana")
    assert throttle.retry_after("ana") == 60
    assert throttle.retry_after("binh") == 0
    clock.now += 61
    assert throttle.retry_after("ana") == 0


def test_old_failures_leave_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottlePolicy(max_failures=2, window_seconds=10), clock)
    throttle.failure("ana")
    clock.now += 11
    assert not throttle.failure("ana")


def test_success_resets_the_count() -> None:
    throttle = LoginThrottle(ThrottlePolicy(max_failures=2))
    throttle.failure("ana")
    throttle.success("ana")
    assert not throttle.failure("ana")


def test_memory_is_bounded_under_a_flood_of_names() -> None:
    throttle = LoginThrottle(ThrottlePolicy(max_failures=5, max_keys=100))
    for i in range(1000):
        throttle.failure(f"user{i}")
    assert len(throttle._failures) == 100
