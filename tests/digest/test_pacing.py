"""Tests for bot.transport.pacing: no one-second window at "Telegram" holds more than `rate`."""

from __future__ import annotations

import asyncio
import random
import time

from bot.transport.pacing import Pacer


def _most_in_a_second(times: list[float]) -> int:
    """The largest number of `times` inside any one-second window."""
    ordered = sorted(times)
    return max(sum(1 for t in ordered if first <= t < first + 1.0) for first in ordered)


async def test_bunched_arrivals_never_break_the_window() -> None:
    """Each send reaches "Telegram" at a random instant between its start and its answer."""
    pacer, rng = Pacer(rate=20), random.Random(5)
    arrivals: list[float] = []

    async def send() -> None:
        async with pacer.slot():
            start, took = time.monotonic(), rng.uniform(0.0, 0.08)
            await asyncio.sleep(took)
            arrivals.append(start + rng.uniform(0.0, took))

    began = time.monotonic()
    await asyncio.gather(*(send() for _ in range(30)))
    assert len(arrivals) == 30
    assert _most_in_a_second(arrivals) <= 20
    assert time.monotonic() - began < 2.0  # the eleven over the limit wait about a second


async def test_sends_still_in_flight_hold_their_place() -> None:
    """With every place taken by unanswered sends, the next waits for an answer and a second."""
    pacer = Pacer(rate=3)
    starts: list[float] = []

    async def send() -> None:
        async with pacer.slot():
            starts.append(time.monotonic())
            await asyncio.sleep(0.2)

    await asyncio.gather(*(send() for _ in range(4)))
    assert starts[3] - starts[0] >= 1.2  # answered at 0.2 s, out of the window at 1.2 s
    assert starts[2] - starts[0] < 0.1
