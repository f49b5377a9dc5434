"""Telegram's rate limits for a fleet of bot instances sharing one PostgreSQL database.

`FleetRateLimiter` is the PTB rate limiter of every instance. It wraps `AIORateLimiter`
(local pacing, retries after 429) and, when the store is PostgreSQL, first takes a slot from
a token bucket kept in the database, shared by every instance: overall MESSAGES_PER_SECOND
for the fleet, and Telegram's 20 messages a minute for each group chat.

The bucket is GCRA (a token bucket written as one "theoretical arrival time" per key): one
atomic upsert reserves the next slot and returns how long to wait for it, timed by the
database clock, so instances with skewed clocks agree. A 429 seen by one instance pushes the
overall slot past its `retry_after`, which pauses the whole fleet. It also feeds the
metrics: messages sent, reply latency, 429s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot import metrics
from bot.store.base import Store

log = logging.getLogger(__name__)

Pacer = Callable[[str, float, float], Awaitable[float]]  # key, interval, burst → wait
Pauser = Callable[[str, float], Awaitable[None]]  # key, seconds
Result = bool | dict[str, Any] | list[dict[str, Any]]

OVERALL_KEY = "overall"
GROUP_INTERVAL = 60.0 / FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP
_PACED = frozenset(
    {
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
        "answerInlineQuery", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage",
        "deleteMessage", "sendChatAction",
    }
)  # fmt: skip

_RESERVE = """
    WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::DOUBLE PRECISION AS now)
    INSERT INTO rate_limits AS r (key, tat)
    SELECT %(key)s, clock.now + %(interval)s FROM clock
    ON CONFLICT (key) DO UPDATE
        SET tat = greatest(r.tat, (SELECT now FROM clock)) + %(interval)s
    RETURNING greatest(0.0, r.tat - %(interval)s - %(burst)s - (SELECT now FROM clock))
"""
_PAUSE = """
    INSERT INTO rate_limits AS r (key, tat)
    VALUES (%(key)s, extract(epoch FROM clock_timestamp()) + %(seconds)s)
    ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, EXCLUDED.tat)
"""


class FleetRateLimiter(BaseRateLimiter[int]):
    """AIORateLimiter plus a fleet-wide bucket in PostgreSQL (when the store is one)."""

    def __init__(self, max_retries: int = 3, overall_rate: float | None = None) -> None:
        """Local limiter with `max_retries` after 429s; `overall_rate` messages/s for all."""
        self._overall = overall_rate or float(FloodLimit.MESSAGES_PER_SECOND)
        # The local limiter paces at the same overall rate (its default is Telegram's 30/s,
        # which would cap a bot allowed more, e.g. with paid broadcasts, at 30/s).
        self._inner = AIORateLimiter(overall_max_rate=self._overall, max_retries=max_retries)
        self._pace: Pacer | None = None
        self._pause: Pauser | None = None

    def share_through(self, store: Store) -> None:
        """Use the store's database for the fleet bucket if it is PostgreSQL."""
        from bot.store.postgres import PostgresStore

        if isinstance(store, PostgresStore):
            self._pace, self._pause = postgres_bucket(store)

    @property
    def shared(self) -> bool:
        """Whether the limits hold across instances."""
        return self._pace is not None

    async def initialize(self) -> None:
        """Start the local limiter."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Stop the local limiter."""
        await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Take fleet slots, then run the call through the local limiter."""

        async def paced(*call_args: Any, **call_kwargs: Any) -> Result:
            if endpoint in _PACED:
                await self._wait_for_slots(data.get("chat_id"))
            try:
                result = await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                metrics.FLOOD_WAITS.inc()
                await self._share_pause(retry_seconds(exc))
                raise
            metrics.observe_call(endpoint)
            return result

        return await self._inner.process_request(
            paced, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _wait_for_slots(self, chat_id: object) -> None:
        """Sleep until the fleet may send: overall, and per group chat."""
        if self._pace is None:
            return
        try:
            wait = await self._pace(OVERALL_KEY, 1.0 / self._overall, 1.0)
            if isinstance(chat_id, int | str) and str(chat_id).startswith("-"):
                wait = max(wait, await self._pace(f"chat:{chat_id}", GROUP_INTERVAL, 0.0))
        except Exception:  # pacing must never stop a reply: fall back to the local limiter
            log.warning("fleet rate limiter unavailable; pacing locally", exc_info=True)
            return
        if wait > 0:
            await asyncio.sleep(wait)

    async def _share_pause(self, seconds: float) -> None:
        """Tell the fleet to hold every message for `seconds`."""
        if self._pause is not None:
            try:
                await self._pause(OVERALL_KEY, seconds)
            except Exception:
                log.warning("could not share a 429 pause with the fleet", exc_info=True)


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds.

    Read as PTB's own AIORateLimiter reads it: the public `retry_after` warns on every read
    (it is becoming a timedelta in PTB's next major version, an int or float until then).
    """
    return error._retry_after.total_seconds()


def postgres_bucket(store: Any) -> tuple[Pacer, Pauser]:
    """The fleet bucket's two operations on a `PostgresStore`'s connection pool."""

    async def pace(key: str, interval: float, burst: float) -> float:
        async with store.connection() as conn:
            values = {"key": key, "interval": interval, "burst": burst}
            row = await (await conn.execute(_RESERVE, values)).fetchone()
        return float(row[0]) if row else 0.0

    async def pause(key: str, seconds: float) -> None:
        async with store.connection() as conn:
            await conn.execute(_PAUSE, {"key": key, "seconds": seconds})

    return pace, pause
