"""Per-user token buckets."""

from __future__ import annotations

from bot.transport.user_limits import UserRateLimiter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_one_warning_then_silence() -> None:
    """A flooding user gets the burst, one warning, then nothing until tokens refill."""
    clock = Clock()
    limiter = UserRateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.check(1) for _ in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    clock.now += 1.0
    assert limiter.check(1) == "ok"


def test_users_do_not_share_a_bucket() -> None:
    """One user's flood leaves another user's allowance untouched."""
    limiter = UserRateLimiter(per_minute=60, burst=2, clock=Clock())
    for _ in range(10):
        limiter.check(1)
    assert limiter.check(2) == "ok"


def test_memory_is_bounded() -> None:
    """Only the most recently seen users are remembered."""
    limiter = UserRateLimiter(per_minute=60, burst=1, clock=Clock(), max_users=100)
    for user in range(1000):
        limiter.check(user)
    assert limiter.check(999) == "warn"  # remembered: its one token is spent
    assert limiter.check(0) == "ok"  # forgotten: a fresh bucket
