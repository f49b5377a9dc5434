"""Pacing sends under Telegram's limits, whatever the network does.

Telegram allows about 30 messages a second overall, one a second to a chat and 20 a minute
to a group; read strictly, no window (a second, a minute) may hold more. Spacing sends
evenly is not enough: requests bunch on the way (a busy event loop, a limiter releasing
everything it held during a 429 pause), and bunched arrivals break the window and draw
429s. So `Pacer` counts a send against the window from the moment it starts until one
window after its answer came: a message reaches Telegram between those two instants, hence
any window at Telegram holds at most `rate` of our messages, however their arrivals bunch.
On a fast link that costs almost nothing (rate / (window + answer time) per window).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

WINDOW = 1.0  # seconds


class Pacer:
    """At most `rate` messages in any `window` seconds at Telegram (one-second by default)."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, window: float = WINDOW
    ) -> None:
        self._most = max(1, int(rate))
        self._clock = clock
        self._window = window
        self._flying = 0
        self._answered: deque[float] = deque()  # when recent sends were answered
        self._turn = asyncio.Lock()
        self._answer = asyncio.Event()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place in the window for one Bot API call, from its start to its answer."""
        await self._wait_turn()
        try:
            yield
        finally:
            self._flying -= 1
            self._answered.append(self._clock())
            self._answer.set()

    def idle(self) -> bool:
        """Nothing in flight and nothing in the window: the pacer can be dropped."""
        return not self._flying and not self._turn.locked() and not self._full()

    def _full(self) -> bool:
        """Whether the window has no room for another send now."""
        horizon = self._clock() - self._window
        while self._answered and self._answered[0] <= horizon:
            self._answered.popleft()
        return self._flying + len(self._answered) >= self._most

    async def _wait_turn(self) -> None:
        """Wait for room in the window (first come, first served)."""
        async with self._turn:
            while self._full():
                if self._answered:  # room comes when the oldest answer leaves the window
                    await asyncio.sleep(self._answered[0] + self._window - self._clock())
                else:  # every place is in flight: wait for an answer first
                    self._answer.clear()
                    await self._answer.wait()
            self._flying += 1
