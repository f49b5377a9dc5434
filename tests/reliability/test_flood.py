"""Telegram's flood control end to end: replies may be late, never lost or turned into errors.

The fake Bot API enforces Telegram's limits strictly (tests/fake_flood.py): a second message
to a chat within a second, more than 20 a minute to a group or 30 a second overall is
answered 429 with `retry_after`. The real bot, polling it, must pace itself and wait out
every 429 however many come, and refuse only a user over their own allowance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from itertools import pairwise

import pytest

from bot.config import Settings
from bot.transport.ratelimit import FleetRateLimiter
from tests.conftest import seed, start_bot, stop_bot
from tests.fakes import FakeBotApi
from tests.reliability.harness import WENT_WRONG

CHAT = 7001


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    """Telegram's real pace: one message a second to a chat (the bot's default)."""
    return bot_settings.model_copy(update={"chat_rate": Settings.model_fields["chat_rate"].default})


async def test_six_commands_in_a_second_get_six_answers(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """The issue's report: six /summary in a second; before, two got "something went wrong"."""
    fake_api.flood.enforce()
    await seed(bot_settings)
    app = await start_bot(bot_settings)
    try:
        for _ in range(6):
            await fake_api.send_text("/summary tsunami", chat_id=CHAT, user_id=CHAT)
        texts = await fake_api.replies(CHAT, 6, within=30)
    finally:
        await stop_bot(app)
    assert len(texts) == 6
    assert all("Tsunami warning lifted" in text for text in texts), texts
    assert not any(WENT_WRONG in text.lower() for text in texts)
    assert fake_api.flood.too_many == 0  # paced: Telegram never had to refuse one


async def test_a_storm_of_429s_delays_a_reply_but_never_replaces_it(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Eight 429s in a row (PTB's limiter gave up after three): the answer still comes."""
    await seed(bot_settings)
    app = await start_bot(bot_settings)
    try:
        fake_api.flood.inject(*["429"] * 8, retry_after=0.2)
        await fake_api.send_text("/summary tsunami", chat_id=CHAT, user_id=CHAT)
        texts = await fake_api.replies(CHAT, 1, within=30)
    finally:
        await stop_bot(app)
    assert fake_api.flood.too_many == 8
    assert len(texts) == 1 and "Tsunami warning lifted" in texts[0]


async def test_a_user_over_their_allowance_is_refused_once_politely(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Only the user's own allowance refuses: one "slow down", the rest answered, no error."""
    fake_api.flood.enforce()
    await seed(bot_settings)
    app = await start_bot(bot_settings.model_copy(update={"user_burst": 3}))
    try:
        for _ in range(6):
            await fake_api.send_text("/summary tsunami", chat_id=CHAT, user_id=CHAT)
        texts = await fake_api.replies(CHAT, 4, within=30)
        await fake_api.send_text("/help", chat_id=CHAT + 1, user_id=CHAT + 1)
        await fake_api.replies(CHAT + 1, 1, within=10)  # the others are still served
    finally:
        await stop_bot(app)
    assert sum("Tsunami" in text for text in texts) == 3
    assert sum("slow down" in text.lower() for text in texts) == 1
    assert not any(WENT_WRONG in text.lower() for text in texts)


def _recorder(times: list[float]) -> Callable[..., object]:
    async def call(*args: object, **kwargs: object) -> bool:
        times.append(time.monotonic())
        return True

    return call


@pytest.mark.parametrize("chat_id", [5, -100])
async def test_the_limiter_paces_each_chat(chat_id: int) -> None:
    """Three messages to one chat at once leave at least a second apart, in order."""
    limiter = FleetRateLimiter(chat_rate=4.0)  # a quarter second, to keep the test short
    times: list[float] = []
    send = _recorder(times)
    data = {"chat_id": chat_id}
    calls = [
        limiter.process_request(send, (), {}, "sendMessage", data, None)  # type: ignore[arg-type]
        for _ in range(3)
    ]
    await asyncio.gather(*calls)
    assert len(times) == 3
    assert all(later - earlier >= 0.25 for earlier, later in pairwise(times))
