"""Pacing a digest fan-out under Telegram's overall limit, without bursts.

PTB's AIORateLimiter lets a burst of 30 through after any pause, and pauses everything when
a 429 arrives; sends queued behind that pause would then go out together and draw more
429s. `Pacer` sits in front of it: sends start at most `rate` a second, on a fixed grid, and
no more than `in_flight` are unanswered at once, so a stalled or paused request path stops
the pacer too instead of piling up a burst.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

IN_FLIGHT = 10  # enough for 30 msg/s at 300 ms per Bot API call


class Pacer:
    """Spaces sends at least 1/rate seconds apart across every chat, never in bursts.

    Slots stay on a fixed grid, so wake-up latency does not slow the rate down, but never
    fall more than one interval behind the clock, so after a stall at most two sends start
    at once.
    """

    def __init__(
        self, rate: float, in_flight: int = IN_FLIGHT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._turn = asyncio.Lock()
        self._flying = asyncio.Semaphore(in_flight)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a send slot for the duration of one Bot API call."""
        async with self._flying:
            await self._wait_turn()
            yield

    async def _wait_turn(self) -> None:
        """Wait for the next start time on the grid (first come, first served)."""
        async with self._turn:
            delay = self._next - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(self._next, self._clock() - self._interval) + self._interval
