"""Telegram's rate limits for the bot's replies, in one instance or a fleet of them.

`FleetRateLimiter` is the PTB rate limiter of every instance. Every message goes out under
Telegram's limits, paced before it is sent rather than refused after:
- each chat: about one message a second (CHAT_RATE), and a group 20 a minute;
- the whole bot: FLEET_RATE messages a second (Telegram's 30 by default).
Locally it uses window pacers (bot/transport/pacing.py) that count a send from its start until a
window after its answer, so network jitter cannot bunch two sends into one window. When the
store is PostgreSQL it first takes a slot from a token bucket kept in the database, shared by
every instance, for the whole bot and for each chat.

A 429 is a delay, never an error: the call waits `retry_after` (holding its chat's turn, so
that chat's next messages wait too) and is sent again, however many times Telegram asks, up
to MAX_FLOOD_WAIT seconds in all; only past that does the caller see `RetryAfter`. A caller
that handles flood waits itself (the digest sender) passes its own limit in seconds as
`rate_limit_args` (NO_FLOOD_WAIT: raise at the first 429; PTB drops a 0). A 429 seen by
one instance holds the chat back fleet-wide. The limiter also feeds the metrics: messages
sent, reply latency, 429s.

The bucket is GCRA (a token bucket written as one "theoretical arrival time" per key): one
atomic upsert reserves the next slot and returns how long to wait for it, timed by the
database clock, so instances with skewed clocks agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metrics
from bot.store.base import Store
from bot.transport.pacing import Pacer

log = logging.getLogger(__name__)

SlotTaker = Callable[[str, float, float], Awaitable[float]]  # key, interval, burst → wait
Pauser = Callable[[str, float], Awaitable[None]]  # key, seconds
Result = bool | dict[str, Any] | list[dict[str, Any]]

OVERALL_KEY = "overall"
GROUP_INTERVAL = 60.0 / FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP
CHAT_RATE = 1.0  # messages a second to one chat (Telegram: "about one")
MAX_FLOOD_WAIT = 900.0  # seconds of 429 waits a message may take before its caller is told
NO_FLOOD_WAIT = -1  # rate_limit_args of a caller that waits out 429s itself
PACERS_KEPT = 1024  # idle chat pacers are dropped past this many
_PACED = frozenset(
    {
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
        "answerInlineQuery", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage",
        "deleteMessage", "sendChatAction",
    }
)  # fmt: skip


class FleetRateLimiter(BaseRateLimiter[int]):
    """Paces every chat and the whole bot; waits out 429s; fleet-wide with PostgreSQL."""

    def __init__(
        self,
        overall_rate: float | None = None,
        chat_rate: float = CHAT_RATE,
        max_flood_wait: float = MAX_FLOOD_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`overall_rate` messages/s for all (Telegram's 30), `chat_rate` for one chat."""
        self._overall_rate = overall_rate or float(FloodLimit.MESSAGES_PER_SECOND)
        self._chat_rate = chat_rate
        self._max_flood_wait = max_flood_wait
        self._clock = clock
        self._overall = _pacer(self._overall_rate, clock)
        self._chats: dict[str, Pacer] = {}
        self._groups: dict[str, Pacer] = {}
        self._pace: SlotTaker | None = None
        self._pause: Pauser | None = None

    def share_through(self, store: Store) -> None:
        """Use the store's database for the fleet bucket if it is PostgreSQL."""
        if store.shares_rate_limits:
            self._pace, self._pause = store.reserve_slot, store.pause_key

    @property
    def shared(self) -> bool:
        """Whether the limits hold across instances."""
        return self._pace is not None

    async def initialize(self) -> None:
        """Nothing to start."""

    async def shutdown(self) -> None:
        """Nothing to stop."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send when the limits allow; wait out 429s (up to the flood-wait limit)."""
        paced = endpoint in _PACED
        chat = _chat_key(data.get("chat_id")) if paced else None
        limit = self._max_flood_wait if rate_limit_args is None else max(0.0, rate_limit_args)
        waited = 0.0
        async with self._chat_turn(chat):
            while True:
                try:
                    async with self._send_turn(chat, paced):
                        result = await callback(*args, **kwargs)
                except RetryAfter as exc:
                    metrics.FLOOD_WAITS.inc()
                    seconds = retry_seconds(exc)
                    await self._share_pause(chat, seconds)
                    waited += seconds
                    if waited > limit:
                        raise
                    log.info("429 on %s: sending again in %.1f s", endpoint, seconds)
                    await asyncio.sleep(seconds)
                    continue
                metrics.observe_call(endpoint)
                return result

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat: str | None) -> AsyncIterator[None]:
        """The chat's own pacing (one at a time, 1/chat_rate s apart; groups also 20/min).

        Held across 429 waits: while Telegram holds a chat back, its next messages wait
        behind the one being retried, and go out in order.
        """
        if chat is None:
            yield
            return
        pacer = _kept(self._chats, chat, lambda: Pacer(1, self._clock, 1.0 / self._chat_rate))
        async with pacer.slot():
            if not chat.startswith("-"):
                yield
                return
            group = _kept(
                self._groups,
                chat,
                lambda: Pacer(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, self._clock, 60.0),
            )
            async with group.slot():
                yield

    @contextlib.asynccontextmanager
    async def _send_turn(self, chat: str | None, paced: bool) -> AsyncIterator[None]:
        """The fleet's slots (PostgreSQL), then the local overall pacer, for one attempt."""
        if not paced:
            yield
            return
        await self._wait_for_slots(chat)
        async with self._overall.slot():
            yield

    async def _wait_for_slots(self, chat: str | None) -> None:
        """Sleep until the fleet may send: overall, and to this chat."""
        if self._pace is None:
            return
        try:
            wait = await self._pace(OVERALL_KEY, 1.0 / self._overall_rate, 1.0)
            if chat is not None:
                interval = GROUP_INTERVAL if chat.startswith("-") else 1.0 / self._chat_rate
                wait = max(wait, await self._pace(f"chat:{chat}", interval, 0.0))
        except Exception:  # pacing must never stop a reply: fall back to the local pacers
            log.warning("fleet rate limiter unavailable; pacing locally", exc_info=True)
            return
        if wait > 0:
            await asyncio.sleep(wait)

    async def _share_pause(self, chat: str | None, seconds: float) -> None:
        """Tell the fleet to hold the chat (or, for a call to no chat, everything)."""
        if self._pause is not None:
            try:
                await self._pause(OVERALL_KEY if chat is None else f"chat:{chat}", seconds)
            except Exception:
                log.warning("could not share a 429 pause with the fleet", exc_info=True)


def _chat_key(chat_id: object) -> str | None:
    """The chat a call goes to, as a key (groups and channels start with "-" or "@")."""
    if isinstance(chat_id, int | str) and str(chat_id):
        return str(chat_id).replace("@", "-@", 1)
    return None


def _pacer(rate: float, clock: Callable[[], float]) -> Pacer:
    """A pacer for `rate` messages a second, also below one (0.5: one per two seconds)."""
    most = max(1, round(rate))
    return Pacer(most, clock, most / rate)


def _kept(pacers: dict[str, Pacer], key: str, make: Callable[[], Pacer]) -> Pacer:
    """The key's pacer; idle ones are forgotten once there are many."""
    pacer = pacers.get(key)
    if pacer is None:
        if len(pacers) >= PACERS_KEPT:
            for old in [k for k, p in pacers.items() if p.idle()]:
                del pacers[old]
        pacer = pacers[key] = make()
    return pacer


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds.

    Read as PTB's own AIORateLimiter reads it: the public `retry_after` warns on every read
    (it is becoming a timedelta in PTB's next major version, an int or float until then).
    """
    return error._retry_after.total_seconds()
