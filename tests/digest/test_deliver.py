"""Tests for bot.usecases.digest.deliver: the real PTB bot sending digests to the fake Bot API.

Every test goes over loopback HTTP through PTB's AIORateLimiter (3 retries on 429), as in
production; the fake answers 429, 403, 400, 500 or drops the connection when told to.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from bot.config import Settings
from bot.context import NewsApp
from bot.models import Subscription
from bot.usecases.digest.deliver import RETRY_ATTEMPTS, DigestOutcome, send_digest
from tests.digest.conftest import SMALL, digest_app, seed, story_counts
from tests.fakes import FakeBotApi

CHAT = 501
STORIES = 6


async def _send(app: NewsApp, *, manual: bool = False) -> DigestOutcome:
    """CHAT's digest, sent with the small test messages and no pacing."""
    return await send_digest(app.bot, app.bot_data, CHAT, pace=0, limits=SMALL, manual=manual)


async def _all_ids(app: NewsApp) -> set[int]:
    return {a.id for a in await app.bot_data.store.latest(100) if a.id is not None}


async def test_sent_in_order_and_logged(fake_api: FakeBotApi, bot_settings: Settings) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        outcome = await send_digest(app.bot, app.bot_data, CHAT, pace=0, limits=SMALL)
        ids = await _all_ids(app)
        logged = await app.bot_data.store.delivered(CHAT, list(ids))
    texts = [m["text"] for m in fake_api.messages(CHAT)]
    assert outcome.status == "sent" and outcome.messages == len(texts) >= 3
    assert texts[0].startswith(f"🗞 Your news digest — {STORIES} new stories on 1 topic")
    assert story_counts(fake_api, CHAT) == {i: 1 for i in ids}
    assert logged == ids and outcome.articles == STORIES
    assert fake_api.rejected == []


async def test_pace_spaces_one_chats_messages(fake_api: FakeBotApi, bot_settings: Settings) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        await send_digest(app.bot, app.bot_data, CHAT, pace=0.2, limits=SMALL)
    times = fake_api.flood.sent_times
    assert len(times) >= 3
    assert all(later - earlier >= 0.2 for earlier, later in pairwise(times))


async def test_a_429_storm_delays_but_loses_nothing(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        fake_api.flood.inject(*["429"] * 6, after=1, retry_after=0.05)
        outcome = await _send(app)
        ids = await _all_ids(app)
    assert fake_api.flood.too_many == 6
    assert outcome.status == "sent" and outcome.flood_waits >= 1
    assert story_counts(fake_api, CHAT) == {i: 1 for i in ids}


async def test_endless_429s_leave_the_rest_for_later(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        fake_api.flood.inject(after=1, then="429", retry_after=0.01)
        stopped = await _send(app)
        fake_api.flood.heal()
        rest = await _send(app)
        ids = await _all_ids(app)
    assert stopped.status == "incomplete" and stopped.messages == 1
    assert stopped.flood_waits == RETRY_ATTEMPTS
    assert stopped.retry_at is not None
    assert rest.status == "sent"
    assert story_counts(fake_api, CHAT) == {i: 1 for i in ids}


@pytest.mark.parametrize("fault", ["500", "drop"])
async def test_a_failure_mid_digest_resumes_with_exactly_the_rest(
    fake_api: FakeBotApi, bot_settings: Settings, fault: str
) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        fake_api.flood.inject(after=2, then=fault)
        stopped = await _send(app)
        fake_api.flood.heal()
        first = story_counts(fake_api, CHAT)
        rest = await _send(app)
        ids = await _all_ids(app)
    assert stopped.status == "incomplete" and stopped.messages == 2
    assert 0 < len(first) < STORIES
    assert rest.status == "sent"
    assert story_counts(fake_api, CHAT) == {i: 1 for i in ids}


async def test_a_blocked_user_is_marked_blocked(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    fake_api.flood.blocked.add(CHAT)
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        outcome = await _send(app)
        settings = await app.bot_data.store.chat_settings(CHAT)
        again = await _send(app)
    assert outcome.status == "blocked" and settings.blocked
    assert again.status == "blocked"
    assert fake_api.messages(CHAT) == []
    assert len([c for c in fake_api.calls if c[0] == "sendMessage"]) == 1  # not retried


async def test_a_refused_message_is_skipped_not_retried_forever(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    async with digest_app(bot_settings) as app:
        await seed(app.bot_data.store, [CHAT], STORIES)
        fake_api.flood.inject("400", after=1)
        outcome = await _send(app)
        again = await _send(app)
    assert outcome.status == "sent" and outcome.skipped == 1
    assert again.status == "empty"


async def test_nothing_new(fake_api: FakeBotApi, bot_settings: Settings) -> None:
    async with digest_app(bot_settings) as app:
        await app.bot_data.store.subscribe(Subscription(CHAT, "nothing matches this"))
        quiet = await _send(app)
        asked = await _send(app, manual=True)
    assert quiet.status == "empty" and quiet.messages == 0
    assert asked.status == "empty" and asked.messages == 1
    assert [m["text"] for m in fake_api.messages(CHAT)] == [
        "Nothing new on your topics since your last digest."
    ]


async def test_the_fake_enforces_one_message_a_second_per_chat(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """The fake refuses a second message within a second; the bot's pacing never sends one."""
    fake_api.flood.enforce()
    async with digest_app(bot_settings, chat_rate=1.0) as app:
        await seed(app.bot_data.store, [CHAT], 2)
        outcome = await send_digest(
            app.bot, app.bot_data, CHAT, pace=0, limits=replace(SMALL, message_chars=300)
        )
        ids = await _all_ids(app)
    times = fake_api.flood.sent_times
    assert outcome.status == "sent" and len(times) >= 2
    assert fake_api.flood.too_many == 0
    assert all(later - earlier >= 1.0 for earlier, later in pairwise(times))
    assert story_counts(fake_api, CHAT) == {i: 1 for i in ids}
