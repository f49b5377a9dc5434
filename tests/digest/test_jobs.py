"""Tests for bot.usecases.digest.jobs: claims, fan-out, restarts, blocked users, /digest, the tick.

Time is a `Clock` the test moves; sending goes through the real PTB bot to the fake Bot API.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.config import Settings
from bot.context import NewsApp
from bot.models import Subscription, utcnow
from bot.usecases.digest.compose import DELIVERIES_KEPT
from bot.usecases.digest.jobs import (
    LEASE_SECONDS,
    RETRY_SECONDS,
    digest_now,
    ensure_schedules,
    reschedule,
)
from tests.conftest import make_article, start_bot, stop_bot
from tests.digest.conftest import Clock, digest_app, report, seed, story_counts, worker
from tests.fakes import FakeBotApi

CHATS = [11, 12, 13]


async def _ids(app: NewsApp) -> set[int]:
    return {a.id for a in await app.bot_data.store.latest(200) if a.id is not None}


async def test_drain_sends_every_due_chat_once_and_schedules_the_next(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    clock = Clock()
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, CHATS, 4)
        await store.subscribe(Subscription(14, "volcano"))  # subscribed, due tomorrow only
        await reschedule(store, 14, clock.now)
        outcomes = await worker(app, clock).drain()
        ids = await _ids(app)
        assert await store.claim_due_digests(clock.advance(hours=1), "probe", 60) == []
        assert sorted(await store.claim_due_digests(clock.advance(days=1), "probe", 60)) == [
            *CHATS,
            14,
        ]
    assert sorted(o.chat_id for o in outcomes) == CHATS
    assert {o.status for o in outcomes} == {"sent"}
    for chat_id in CHATS:
        assert story_counts(fake_api, chat_id) == {i: 1 for i in ids}
    assert fake_api.messages(14) == []


async def test_no_repeat_and_no_loss_across_a_restart(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """The first process fails mid-fan-out; a new one on the same database sends the rest."""
    clock = Clock()
    async with digest_app(bot_settings) as first:
        await seed(first.bot_data.store, CHATS, 5)
        fake_api.flood.inject(after=4, then="drop")
        stopped = await worker(first, clock, "first", batch=1).drain()
    fake_api.flood.heal()
    partial = sum(len(fake_api.messages(chat_id)) for chat_id in CHATS)
    async with digest_app(bot_settings) as second:
        clock.advance(seconds=RETRY_SECONDS)
        resumed = await worker(second, clock, "second").drain()
        clock.advance(seconds=RETRY_SECONDS)
        again = await worker(second, clock, "second").drain()
        ids = await _ids(second)
    assert partial == 4 and any(o.status == "incomplete" for o in stopped)
    assert {o.status for o in resumed} == {"sent"} and again == []
    for chat_id in CHATS:
        assert story_counts(fake_api, chat_id) == {i: 1 for i in ids}


async def test_a_crashed_workers_claim_waits_for_its_lease(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    clock = Clock()
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, CHATS, 2)
        assert sorted(await store.claim_due_digests(clock.now, "crashed", LEASE_SECONDS)) == CHATS
        assert await worker(app, clock).drain() == []  # still held by the dead worker
        clock.advance(seconds=LEASE_SECONDS + 1)
        late = await worker(app, clock).drain()
    assert sorted(o.chat_id for o in late) == CHATS
    assert all(len(story_counts(fake_api, chat_id)) == 2 for chat_id in CHATS)


async def test_two_workers_share_the_fan_out_without_overlap(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    chats = list(range(100, 140))
    clock = Clock()
    async with digest_app(bot_settings) as one, digest_app(bot_settings) as two:
        await seed(one.bot_data.store, chats, 2)
        first, second = await asyncio.gather(
            worker(one, clock, "one", batch=6).drain(), worker(two, clock, "two", batch=6).drain()
        )
        ids = await _ids(one)
    served = [o.chat_id for o in first + second]
    assert sorted(served) == chats and first and second
    for chat_id in chats:
        assert story_counts(fake_api, chat_id) == {i: 1 for i in ids}


async def test_a_blocked_user_is_paused_until_they_return(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    clock = Clock()
    fake_api.flood.blocked.add(12)
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, CHATS, 2)
        outcomes = {o.chat_id: o.status for o in await worker(app, clock).drain()}
        later = sorted(await store.claim_due_digests(clock.advance(days=2), "probe", 60))
        for chat_id in later:  # out of the way for the rest of the test
            await store.finish_digest(chat_id, "probe", clock.now + timedelta(days=30))
        # The user comes back (/start): unblocked and rescheduled.
        fake_api.flood.blocked.clear()
        settings = await store.chat_settings(12)
        await store.save_chat_settings(replace(settings, blocked=False))
        await store.schedule_digest(12, clock.now)
        back = await worker(app, clock).drain()
    assert outcomes == {11: "sent", 12: "blocked", 13: "sent"}
    assert later == [11, 13]  # the blocked chat is never due
    assert [(o.chat_id, o.status) for o in back] == [(12, "sent")]
    assert len(story_counts(fake_api, 12)) == 2


async def test_digest_now(fake_api: FakeBotApi, bot_settings: Settings) -> None:
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, [21], 2)
        sent = await digest_now(app.bot, app.bot_data, 21)
        empty = await digest_now(app.bot, app.bot_data, 21)
        await store.claim_digest(21, utcnow(), "scheduled", 60)
        busy = await digest_now(app.bot, app.bot_data, 21)
        due = await store.claim_due_digests(utcnow(), "probe", 60)
    assert (sent.status, empty.status, busy.status) == ("sent", "empty", "busy")
    assert fake_api.messages(21)[-1]["text"].startswith("Nothing new")
    assert due == []  # the pending digest went out with /digest; next one is tomorrow


async def test_ensure_schedules_repairs_missing_times(bot_settings: Settings) -> None:
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        for chat_id in (31, 32):
            await store.subscribe(Subscription(chat_id, "volcano"))
        assert await ensure_schedules(store, utcnow()) == 2
        assert await ensure_schedules(store, utcnow()) == 0
        assert await store.unscheduled_chats() == []


async def test_the_job_queue_tick_sends_due_digests(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """The running bot: post_init registers the tick, which sends what is due."""
    settings = bot_settings.model_copy(update={"digest_tick_seconds": 1})
    store_app = await start_bot(settings)
    try:
        store = store_app.bot_data.store
        title, text = report("volcano", 1)
        await store.add_article(make_article(title, text))
        await store.subscribe(Subscription(41, "volcano"))  # no schedule: repaired at start-up
        await store.schedule_digest(41, utcnow())
        texts = await fake_api.replies(41, 1, within=10)
    finally:
        await stop_bot(store_app)
    assert "Volcano report 1" in texts[0]


async def test_a_group_that_became_a_supergroup_gets_the_rest_there(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Telegram refuses the old group id mid-digest: the rest goes to the new chat, once."""
    clock = Clock()
    old, new = -21, -1000021
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, [old], 6)
        fake_api.flood.inject(after=2, then="500")  # two messages reach the group
        first = await worker(app, clock).drain()
        fake_api.flood.heal()
        fake_api.flood.migrated[old] = new  # then the group is upgraded
        clock.advance(seconds=RETRY_SECONDS + 1)
        second = await worker(app, clock).drain()
        third = await worker(app, clock).drain()  # the next tick
        ids = await _ids(app)
        subscribed = [s.topic for s in await store.subscriptions(new)]
    assert [(o.chat_id, o.status) for o in first] == [(old, "incomplete")]
    assert [(o.chat_id, o.status) for o in second] == [(old, "moved")]
    assert [(o.chat_id, o.status) for o in third] == [(new, "sent")]
    before, after = story_counts(fake_api, old), story_counts(fake_api, new)
    assert before and after and not set(before) & set(after)
    assert before + after == {i: 1 for i in ids}
    assert subscribed == ["volcano"]


async def test_a_drain_forgets_deliveries_no_digest_can_need(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Deliveries older than DELIVERIES_KEPT go, once per PRUNE_EVERY; newer ones stay."""
    clock = Clock()
    async with digest_app(bot_settings) as app:
        store = app.bot_data.store
        await seed(store, CHATS, 2)
        await worker(app, clock).drain()
        ids = await _ids(app)
        for chat_id in CHATS:  # nothing due in the weeks this test skips
            await store.schedule_digest(chat_id, clock.now + timedelta(days=365))
        soon = worker(app, Clock(clock.now + DELIVERIES_KEPT - timedelta(hours=1)))
        assert await soon.drain() == []
        kept = await store.delivered(CHATS[0], list(ids))
        later = worker(app, Clock(clock.now + DELIVERIES_KEPT + timedelta(hours=1)))
        assert await later.drain() == []
        gone = await store.delivered(CHATS[0], list(ids))
    assert kept == ids and gone == set()
