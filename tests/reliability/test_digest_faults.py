"""A digest when the Bot API stops answering midway: nothing lost, nothing repeated.

tests/digest/test_deliver.py covers 429 storms, 500s and dropped connections; this adds a
Bot API that hangs past the bot's read timeout (the message is never delivered), alone and
mixed with the other faults, over several runs until the digest is complete.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.context import NewsApp
from bot.usecases.digest.deliver import DigestOutcome, send_digest
from tests.digest.conftest import SMALL, seed, story_counts
from tests.fakes import TOKEN, FakeBotApi

CHAT = 701
STORIES = 8
READ_TIMEOUT = 0.3


@dataclass
class HangingBotApi(FakeBotApi):
    """The fake Bot API, able to hang on sendMessage without delivering (a timeout)."""

    hangs: int = 0  # how many of the next sendMessage calls hang
    after: int = 0  # accepted messages before the hangs start

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.hangs and self.after <= 0:
            self.hangs -= 1
            await asyncio.sleep(READ_TIMEOUT * 3)  # the bot has given up by now
            raise asyncio.CancelledError  # never delivered, never answered
        self.after -= 1
        return await super()._send_message(params)


@pytest.fixture
async def hanging_api() -> AsyncIterator[HangingBotApi]:
    """The hanging fake, on 127.0.0.1."""
    api = HangingBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def app(hanging_api: HangingBotApi, db_url: str) -> AsyncIterator[NewsApp]:
    """The real application, not polling, with a short read timeout; store open."""
    settings: Settings = load_settings(
        None,
        telegram_bot_token=TOKEN,
        telegram_api_url=hanging_api.url,
        database_url=db_url,
        load_sample=False,
        chat_rate=50.0,  # the digest's own retries are timed here, not the limiter's pacing
    )
    request = HTTPXRequest(connection_pool_size=8, read_timeout=READ_TIMEOUT)
    application = build_application(settings, request=request)
    await application.initialize()
    await application.bot_data.store.open()
    await seed(application.bot_data.store, [CHAT], STORIES)
    yield application
    await application.bot_data.store.close()
    await application.shutdown()


async def _run(app: NewsApp) -> DigestOutcome:
    return await send_digest(app.bot, app.bot_data, CHAT, pace=0, limits=SMALL)


async def _all_ids(app: NewsApp) -> set[int]:
    return {a.id for a in await app.bot_data.store.latest(100) if a.id is not None}


async def test_a_timeout_mid_digest_resumes_with_exactly_the_rest(
    hanging_api: HangingBotApi, app: NewsApp
) -> None:
    """The third message times out: the run stops; the next run sends exactly the rest."""
    hanging_api.after, hanging_api.hangs = 2, 1
    stopped = await _run(app)
    first = story_counts(hanging_api, CHAT)
    rest = await _run(app)
    assert stopped.status == "incomplete" and stopped.messages == 2
    assert 0 < len(first) < STORIES
    assert rest.status == "sent"
    assert story_counts(hanging_api, CHAT) == {i: 1 for i in await _all_ids(app)}


async def test_every_fault_in_turn_loses_and_repeats_nothing(
    hanging_api: HangingBotApi, app: NewsApp
) -> None:
    """A 500, a dropped connection, a timeout, a 429 storm, one per run: each story once."""
    faults: list[tuple[str, ...]] = [("500",), ("drop",), ("hang",), ("429",) * 6, ()]
    outcomes = []
    for fault in faults:
        if fault == ("hang",):
            hanging_api.after, hanging_api.hangs = 1, 1
        elif fault:
            hanging_api.flood.inject(*fault, after=1, retry_after=0.01)
        outcomes.append(await _run(app))
        hanging_api.flood.heal()
        hanging_api.hangs = 0
    assert [o.status for o in outcomes] == ["incomplete"] * 3 + ["sent", "empty"]
    assert [o.messages for o in outcomes[:3]] == [1, 1, 1] and outcomes[3].flood_waits >= 1
    assert story_counts(hanging_api, CHAT) == {i: 1 for i in await _all_ids(app)}
    assert all(r[1].startswith(("Too Many", "Internal")) for r in hanging_api.rejected)
