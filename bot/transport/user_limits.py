"""Per-user flood control: a token bucket per user, so one user cannot starve the others."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class UserRateLimiter:
    """Allows `burst` messages at once and `per_minute` sustained, per user id."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._max_users = max_users
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int) -> str:
        """ "ok" to go ahead; "warn" the first time a user is over the limit; "drop" after."""
        now = self._clock()
        bucket = self._buckets.pop(user_id, None) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[user_id] = bucket
        if len(self._buckets) > self._max_users:
            self._buckets.popitem(last=False)  # forget the least recently seen user
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
