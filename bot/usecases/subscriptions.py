"""Subscription use cases: follow topics with word filters, and the chat's digest settings."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.context import Resources
from bot.models import FREQUENCIES, LENGTHS, ChatSettings, Subscription, utcnow
from bot.usecases.schedule import next_due

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 20
MAX_FILTER_WORDS = 10
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """What `/subscribe <topic> [+must -mustnot ...]` asked for."""

    topic: str
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def parse_subscription(raw: str) -> SubscriptionRequest:
    """Split `/subscribe` arguments into the topic and its `+must` / `-mustnot` words."""
    topic: list[str] = []
    must: list[str] = []
    must_not: list[str] = []
    for token in raw.split():
        if token.startswith("+") and len(token) > 1:
            must += _words(token[1:])
        elif token.startswith("-") and len(token) > 1:
            must_not += _words(token[1:])
        elif _words(token):  # a token without a letter or digit could never match an article
            topic.append(token)
    unique = dict.fromkeys
    return SubscriptionRequest(
        " ".join(topic),
        tuple(unique(must))[:MAX_FILTER_WORDS],
        tuple(unique(must_not))[:MAX_FILTER_WORDS],
    )


async def subscribe(
    resources: Resources, chat_id: int, request: SubscriptionRequest
) -> Subscription | None:
    """Follow a topic (same topic again: new filters); None when the chat has too many."""
    store = resources.store
    existing = await store.subscriptions(chat_id)
    same = [s for s in existing if s.topic.casefold() == request.topic.casefold()]
    if not same and len(existing) >= MAX_SUBSCRIPTIONS:
        return None
    topic = same[0].topic if same else request.topic
    subscription = await store.subscribe(
        Subscription(chat_id, topic, request.must, request.must_not)
    )
    await reschedule(resources, await store.chat_settings(chat_id))
    return subscription


async def unsubscribe(resources: Resources, chat_id: int, which: str) -> Subscription | None:
    """Stop following a subscription given by id or topic text; None when there is none."""
    for subscription in await resources.store.subscriptions(chat_id):
        if which in (str(subscription.id), subscription.topic) or (
            which.casefold() == subscription.topic.casefold()
        ):
            assert subscription.id is not None
            await resources.store.unsubscribe(chat_id, subscription.id)
            return subscription
    return None


async def reschedule(resources: Resources, settings: ChatSettings) -> None:
    """Store the chat's settings and set its next digest time from them."""
    await resources.store.save_chat_settings(settings)
    await resources.store.schedule_digest(settings.chat_id, next_due(settings, utcnow()))


async def resume(resources: Resources, chat_id: int) -> bool:
    """A user who had blocked the bot is back: resume digests. True when it was paused."""
    settings = await resources.store.chat_settings(chat_id)
    if not settings.blocked:
        return False
    await reschedule(resources, replace(settings, blocked=False))
    return True


async def move_chat(resources: Resources, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup (a new chat id): its subscriptions and digests follow.

    True when the old chat had anything to move; calling it again moves nothing.
    """
    moved = await resources.store.move_chat(old_chat_id, new_chat_id, utcnow())
    if moved:
        log.info("chat %d became chat %d: its subscriptions moved", old_chat_id, new_chat_id)
    return moved


def valid_timezone(name: str) -> str | None:
    """The IANA time zone `name`, or None when there is no such zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: name too long for a path
        return None
    return name


def change_setting(settings: ChatSettings, key: str, value: str) -> ChatSettings | None:
    """Settings with one option changed (from a button), or None when the value is invalid."""
    if key == "len" and value in LENGTHS:
        return replace(settings, length=value)
    if key == "freq" and value in FREQUENCIES:
        return replace(settings, frequency=value)
    if key == "hour" and value.isdigit() and 0 <= int(value) <= 23:
        return replace(settings, digest_hour=int(value))
    if key == "tz" and valid_timezone(value):
        return replace(settings, timezone=value)
    if key == "quiet":
        return _quiet(settings, value)
    return None


def _quiet(settings: ChatSettings, value: str) -> ChatSettings | None:
    if value == "off":
        return replace(settings, quiet_start=None, quiet_end=None)
    start, _, end = value.partition("-")
    if start.isdigit() and end.isdigit() and int(start) < 24 and int(end) < 24:
        return replace(settings, quiet_start=int(start), quiet_end=int(end))
    return None


def toggle_muted(settings: ChatSettings, source: str) -> ChatSettings:
    """Mute a source, or unmute it when it was muted."""
    muted = list(settings.muted_sources)
    muted = [s for s in muted if s != source] if source in muted else [*muted, source]
    return replace(settings, muted_sources=tuple(muted))
