"""Digest test helpers: a controllable clock, seeded subscriptions, the bot without polling."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from bot.app import build_application
from bot.config import Settings
from bot.context import NewsApp
from bot.models import Subscription, utcnow
from bot.store import Store
from bot.usecases.digest.compose import DigestLimits
from bot.usecases.digest.jobs import DigestConfig, DigestWorker
from tests.conftest import make_article
from tests.fakes import FakeBotApi

_READ = re.compile(r"/read (\d+)")
# Small messages, so that a digest of a few stories takes several messages.
SMALL = DigestLimits(stories=10, chars=100_000, message_chars=400)
FAST = DigestConfig(rate=1000.0, batch=20, pace=0.0, limits=SMALL)


class Clock:
    """A settable clock for `DigestWorker(clock=...)`."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move time forward; the new time."""
        self.now += timedelta(**delta)
        return self.now


_POOL = ["granite", "basalt", "obsidian", "pumice", "tephra", "magma", "lava", "scoria",
         "harbour", "ferry", "bridge", "tunnel", "school", "clinic", "market", "stadium",
         "orchard", "vineyard", "glacier", "reservoir", "railway", "airport", "lighthouse",
         "monastery", "library", "theatre", "brewery", "quarry", "sawmill", "bakery",
         "pharmacy", "museum", "cathedral", "fortress", "canal", "aqueduct", "windmill",
         "observatory", "cemetery", "marina"]  # fmt: skip


def report(topic: str, number: int) -> tuple[str, str]:
    """A distinct article (title, text) on `topic`: its own words, so its own story."""
    a, b, c, d = (_POOL[(number * 4 + k) % len(_POOL)] for k in range(4))
    title = f"{topic.title()} report {number}: {a} and {b}"
    text = (
        f"The {topic} damaged the {a} near {b} on day {number}.\n"
        f"Engineers inspecting every {c} found cracks in {number + 2} walls.\n"
        f"Volunteers from the {d} delivered blankets, water and bread."
    )
    return title, text


async def seed(store: Store, chat_ids: list[int], stories: int, topic: str = "volcano") -> None:
    """`stories` articles on `topic`; every chat subscribed and due."""
    for number in range(stories):
        title, text = report(topic, number)
        await store.add_article(
            make_article(title, text, url=f"https://news.test/{topic}/{number}")
        )
    for chat_id in chat_ids:
        await store.subscribe(Subscription(chat_id, topic))
        await store.schedule_digest(chat_id, utcnow() - timedelta(minutes=1))


def story_counts(api: FakeBotApi, chat_id: int) -> Counter[int]:
    """How many times each story (by its /read id) reached the chat."""
    return Counter(int(n) for m in api.messages(chat_id) for n in _READ.findall(m["text"]))


@asynccontextmanager
async def digest_app(settings: Settings, chat_rate: float = 50.0) -> AsyncIterator[NewsApp]:
    """The real application talking to the fake Bot API, store open, not polling.

    The rate limiter's own pacing of a chat (CHAT_RATE, Telegram's 1/s by default) is raised
    to `chat_rate`: these tests time the digest's pacing and retries, and the limiter's
    second per chat would only slow them (tests/reliability/test_flood.py covers it).
    """
    app = build_application(settings.model_copy(update={"chat_rate": chat_rate}))
    await app.initialize()
    await app.bot_data.store.open()
    try:
        yield app
    finally:
        await app.bot_data.store.close()
        await app.shutdown()


def worker(app: NewsApp, clock: Clock, name: str = "w1", **changes: object) -> DigestWorker:
    """A digest worker of `app` with fast test pacing."""
    config = replace(FAST, **changes)  # type: ignore[arg-type]
    return DigestWorker(app.bot, app.bot_data, config=config, worker=name, clock=clock)
