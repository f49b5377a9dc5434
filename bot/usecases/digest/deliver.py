"""Sending one chat's digest: paced, retried under flood limits, logged message by message.

Exactly once: each message's stories are written to the delivery log as soon as Telegram
accepts the message, and a digest is always recomposed from what the log does not hold, so
a run that stops anywhere (crash, restart, flood limit, network error) is resumed by the
next run without repeating or losing a story. The one gap left is a crash between Telegram's
answer and the log write (or a timeout after Telegram delivered): that message is sent
again by the next run.

Errors: `RetryAfter` waits and retries (the rate limiter hands the first 429 straight
back, `NO_FLOOD_WAIT`, so this loop decides); when the wait is too long or the attempts
run out the rest waits for the next run.
`Forbidden` (the user blocked the bot, or it was removed from the group) marks the chat
blocked. `ChatMigrated` (the group became a supergroup, a new chat) moves the chat's
subscriptions, settings and delivery log to the new chat id, whose digest then goes out on
the next tick with what this run did not send. A `BadRequest` is our bug and would fail
again forever, so that one message is logged as an error and skipped. Any other Telegram
or network error ends this run for the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.context import Resources
from bot.models import utcnow
from bot.transport.pacing import Pacer
from bot.transport.ratelimit import NO_FLOOD_WAIT, retry_seconds
from bot.usecases.digest.compose import DigestLimits, TopicCache, compose_digest
from bot.usecases.digest.render import DigestMessage, nothing_new, render_digest
from bot.usecases.subscriptions import move_chat

log = logging.getLogger(__name__)

CHAT_PACE_SECONDS = 1.0  # Telegram: about one message per second to the same chat
RETRY_ATTEMPTS = 10  # tries per message (the rate limiter leaves 429s to us)
MAX_RETRY_WAIT = 60.0  # a longer flood wait ends this run; the digest resumes after it
_GONE = ("chat not found", "user is deactivated", "bot was kicked")


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    """What a digest run did for one chat.

    status: "sent" (everything), "empty" (nothing new), "blocked" (the user blocked the
    bot), "moved" (the group became a new chat, which gets the rest next run), "incomplete"
    (stopped early; the rest goes out next run), "busy" (another run holds the chat),
    "failed" (an unexpected error, logged).
    """

    chat_id: int
    status: str
    messages: int = 0
    articles: int = 0
    flood_waits: int = 0
    skipped: int = 0
    retry_at: datetime | None = None

    @property
    def complete(self) -> bool:
        """Whether the chat got everything that was due (its next slot can be set)."""
        return self.status in ("sent", "empty")


class FloodWait(Exception):
    """Telegram still says "too many requests" after our retries."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood wait of {seconds:.1f} s")
        self.seconds = seconds


class _Run:
    """One digest run for one chat: sends, retries, logs deliveries, counts what happened."""

    def __init__(
        self, bot: ExtBot[Any], resources: Resources, chat_id: int, pacer: Pacer | None
    ) -> None:
        self.bot, self.resources, self.chat_id, self.pacer = bot, resources, chat_id, pacer
        self.messages = self.articles = self.flood_waits = self.skipped = 0
        self.retry_at: datetime | None = None

    async def send_all(
        self, messages: list[DigestMessage], pace: float, keep_going: Callable[[], bool] | None
    ) -> str | None:
        """Send the messages in order, `pace` seconds apart; a status if the run stopped."""
        for number, message in enumerate(messages):
            if number:
                if keep_going is not None and not keep_going():
                    return "incomplete"
                await asyncio.sleep(pace)
            stopped = await self._deliver(message)
            if stopped:
                return stopped
        return None

    async def _deliver(self, message: DigestMessage) -> str | None:
        """Send one message and log its stories; a status when the run must stop."""
        chat_id, store = self.chat_id, self.resources.store
        try:
            message_id: int | None = await self._send(message.text)
        except FloodWait as wait:
            self.retry_at = utcnow() + timedelta(seconds=wait.seconds)
            log.warning("digest for chat %d: %s, the rest goes out later", chat_id, wait)
            return "incomplete"
        except Forbidden:  # blocked by the user, or removed from the group
            return await self._block()
        except ChatMigrated as moved:
            await move_chat(self.resources, chat_id, moved.new_chat_id)
            return "moved"
        except BadRequest as error:
            if any(reason in str(error).lower() for reason in _GONE):
                return await self._block()
            log.error("digest message for chat %d refused, skipped: %s", chat_id, error)
            message_id, self.skipped = None, self.skipped + 1
        except TelegramError as error:
            log.warning("digest for chat %d stopped: %s; the rest goes out later", chat_id, error)
            return "incomplete"
        await store.record_delivery(chat_id, message.article_ids, message_id)
        self.messages += int(message_id is not None)
        self.articles += len(message.article_ids)
        return None

    async def _send(self, text: str) -> int:
        """Send one HTML message; its message id, or FloodWait when retries ran out."""
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return await self._post(text)
            except RetryAfter as error:
                self.flood_waits += 1
                seconds = retry_seconds(error)
                if attempt == RETRY_ATTEMPTS or seconds > MAX_RETRY_WAIT:
                    raise FloodWait(seconds) from error
                await asyncio.sleep(seconds)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _post(self, text: str) -> int:
        """One sendMessage call, inside a pacer slot when there is a pacer."""
        async with self.pacer.slot() if self.pacer else contextlib.nullcontext():
            sent = await self.bot.send_message(
                self.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                rate_limit_args=NO_FLOOD_WAIT,  # the first 429 comes back: _send waits
            )
        return sent.message_id

    async def _block(self) -> str:
        """Mark the chat blocked: no digests until the user comes back (/start)."""
        store = self.resources.store
        settings = await store.chat_settings(self.chat_id)
        await store.save_chat_settings(replace(settings, blocked=True))
        log.info("chat %d blocked the bot: its digests are paused", self.chat_id)
        return "blocked"


async def send_digest(
    bot: ExtBot[Any],
    resources: Resources,
    chat_id: int,
    *,
    pace: float,
    manual: bool = False,
    limits: DigestLimits | None = None,
    pacer: Pacer | None = None,
    cache: TopicCache | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> DigestOutcome:
    """Compose and send the chat's digest, logging each message's stories once it is sent.

    `pace`: seconds between two messages to this chat. `manual`: asked for with /digest, so
    an empty digest answers "nothing new" and a chat marked blocked is served anyway.
    `pacer`: the fan-out's shared rate. `keep_going`: checked between messages (shutdown).
    """
    settings = await resources.store.chat_settings(chat_id)
    if settings.blocked and not manual:
        return DigestOutcome(chat_id, "blocked")
    limits = limits or DigestLimits()
    digest = await compose_digest(
        resources.store, resources.summarizer, settings, limits=limits, cache=cache
    )
    messages = render_digest(digest, limits.message_chars)
    if not messages and manual:
        messages = [DigestMessage(nothing_new())]
    run = _Run(bot, resources, chat_id, pacer)
    stopped = await run.send_all(messages, pace, keep_going)
    return DigestOutcome(
        chat_id,
        stopped or ("sent" if digest.sections else "empty"),
        messages=run.messages,
        articles=run.articles,
        flood_waits=run.flood_waits,
        skipped=run.skipped,
        retry_at=run.retry_at,
    )
