"""Tests for the SubscriptionStore half of the store, on every backend (see conftest.py).

Subscriptions, chat settings, digest claims (leases), the delivery log and topic ids, on a
real database: a SQLite file, and PostgreSQL when the test server is reachable.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.models import Article, ChatSettings, Subscription
from bot.store import Store, open_store

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(minutes=5)
LATER = NOW + timedelta(hours=1)


async def _due_chat(store: Store, chat_id: int, due: datetime = EARLIER) -> None:
    """A chat with one subscription whose digest is due at `due`."""
    await store.subscribe(Subscription(chat_id, f"topic {chat_id}"))
    await store.schedule_digest(chat_id, due)


async def test_subscribe_replaces_filters_of_the_same_topic(store: Store) -> None:
    first = await store.subscribe(Subscription(7, "climate", ("ice",), created=EARLIER))
    again = await store.subscribe(Subscription(7, "climate", ("sea",), ("ice",), created=NOW))
    other = await store.subscribe(Subscription(7, "elections"))
    assert first.id is not None and again.id == first.id and other.id != first.id
    assert again.must == ("sea",) and again.must_not == ("ice",)
    assert again.created == EARLIER  # the subscription still began when it began
    found = await store.subscriptions(7)
    assert [(s.topic, s.must, s.must_not) for s in found] == [
        ("climate", ("sea",), ("ice",)),
        ("elections", (), ()),
    ]
    assert found[0].created == EARLIER
    assert await store.subscriptions(8) == []


async def test_unsubscribe_only_the_chats_own(store: Store) -> None:
    mine = await store.subscribe(Subscription(7, "climate"))
    assert mine.id is not None
    assert await store.unsubscribe(8, mine.id) is False  # another chat's id
    assert await store.unsubscribe(7, mine.id) is True
    assert await store.unsubscribe(7, mine.id) is False
    assert await store.subscriptions(7) == []


async def test_chat_settings_default_and_round_trip(store: Store) -> None:
    assert await store.chat_settings(5) == ChatSettings(5)
    changed = ChatSettings(
        5, "long", "twice", 21, "Europe/Berlin", 22, 7, ("Ля Пресса", "Wire & Co"), True
    )
    await store.save_chat_settings(changed)
    assert await store.chat_settings(5) == changed
    await store.save_chat_settings(replace(changed, quiet_start=None, quiet_end=None))
    assert (await store.chat_settings(5)).quiet_start is None


async def test_saving_settings_keeps_the_schedule(store: Store) -> None:
    await _due_chat(store, 1)
    await store.save_chat_settings(ChatSettings(1, length="short"))
    assert await store.claim_due_digests(NOW, "w", 60) == [1]


async def test_claim_due_digests_skips_what_is_not_due(store: Store) -> None:
    await _due_chat(store, 1)
    await _due_chat(store, 2, LATER)  # not yet
    await _due_chat(store, 3)
    await store.save_chat_settings(ChatSettings(3, blocked=True))
    await _due_chat(store, 4)
    await store.save_chat_settings(ChatSettings(4, frequency="off"))
    await store.schedule_digest(5, EARLIER)  # no subscription
    await _due_chat(store, 6)
    await store.schedule_digest(6, None)  # no digest scheduled
    assert await store.claim_due_digests(NOW, "w", 60) == [1]


async def test_claim_is_a_lease(store: Store) -> None:
    await _due_chat(store, 1)
    assert await store.claim_due_digests(NOW, "a", 60) == [1]
    assert await store.claim_due_digests(NOW + timedelta(seconds=59), "b", 60) == []
    assert await store.claim_due_digests(NOW + timedelta(seconds=61), "b", 60) == [1]
    # "a" lost its claim: its finish must not release or reschedule b's digest.
    await store.finish_digest(1, "a", None)
    assert await store.claim_due_digests(NOW + timedelta(seconds=62), "c", 60) == []
    await store.finish_digest(1, "b", LATER)
    assert await store.claim_due_digests(NOW + timedelta(seconds=62), "c", 60) == []
    assert await store.claim_due_digests(LATER, "c", 60) == [1]


async def test_claim_limit_takes_the_earliest_due_first(store: Store) -> None:
    for chat_id in range(1, 6):
        await _due_chat(store, chat_id, EARLIER - timedelta(minutes=chat_id))
    assert await store.claim_due_digests(NOW, "w", 60, limit=2) == [5, 4]
    assert await store.claim_due_digests(NOW, "w", 60, limit=0) == []
    assert sorted(await store.claim_due_digests(NOW, "w", 60)) == [1, 2, 3]


async def test_two_workers_never_claim_the_same_chat(store_url: str) -> None:
    """Two connections to one database claim concurrently: every chat goes to exactly one."""
    stores = [open_store(store_url, auto_migrate=True) for _ in range(2)]
    for each in stores:
        await each.open()
    try:
        for chat_id in range(1, 121):
            await _due_chat(stores[0], chat_id)

        async def worker(store: Store, name: str) -> list[int]:
            mine: list[int] = []
            while claimed := await store.claim_due_digests(NOW, name, 600, limit=7):
                mine += claimed
                await asyncio.sleep(0)
            return mine

        first, second = await asyncio.gather(worker(stores[0], "a"), worker(stores[1], "b"))
    finally:
        for each in stores:
            await each.close()
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(1, 121))


async def test_claim_digest_for_one_chat(store: Store) -> None:
    assert await store.claim_digest(9, NOW, "manual", 60) is True  # no row yet: created
    assert await store.claim_digest(9, NOW, "other", 60) is False
    assert await store.claim_digest(9, NOW, "manual", 60) is True  # the holder may renew
    await _due_chat(store, 9)
    assert await store.claim_due_digests(NOW, "tick", 60) == []  # held by "manual"
    await store.finish_digest(9, "manual", EARLIER)
    assert await store.claim_due_digests(NOW, "tick", 60) == [9]


async def test_unscheduled_chats(store: Store) -> None:
    await _due_chat(store, 1)
    await store.subscribe(Subscription(2, "no schedule yet"))
    await store.subscribe(Subscription(3, "schedule cleared"))
    await store.schedule_digest(3, None)
    await store.subscribe(Subscription(4, "blocked"))
    await store.save_chat_settings(ChatSettings(4, blocked=True))
    await store.subscribe(Subscription(5, "off"))
    await store.save_chat_settings(ChatSettings(5, frequency="off"))
    assert await store.unscheduled_chats() == [2, 3]
    assert await store.unscheduled_chats(limit=1) == [2]


async def test_delivery_log_is_idempotent(store: Store) -> None:
    await store.record_delivery(1, [10, 11], message_id=100)
    await store.record_delivery(1, [11, 12], message_id=101)
    await store.record_delivery(1, [], message_id=102)
    assert await store.delivered(1, [10, 11, 12, 13]) == {10, 11, 12}
    assert await store.delivered(2, [10, 11]) == set()
    assert await store.delivered(1, []) == set()
    many = list(range(1000, 2200))  # more ids than one IN (...) query takes
    await store.record_delivery(3, many, message_id=None)
    assert await store.delivered(3, [*many, 5]) == set(many)


async def test_topic_ids_are_short_and_stable(store: Store) -> None:
    first = await store.remember_topic("climate change")
    assert await store.remember_topic("climate change") == first
    second = await store.remember_topic("élections 2025 🗳")
    assert second != first
    assert await store.topic_text(second) == "élections 2025 🗳"
    assert await store.topic_text(first + second + 100) is None


async def test_topics_asked_at_once_get_one_id_each(store: Store) -> None:
    """Many callers, some with the same topic, while an article write holds the lock."""
    texts = [f"topic {n % 12}" for n in range(30)]
    known = await store.remember_topic("topic 3")
    writes = store.add_article(Article(title="Busy", text="A write taking the lock."))
    topics = asyncio.gather(*(store.remember_topic(t) for t in texts))
    ids, _ = await asyncio.gather(topics, writes)
    by_text = dict(zip(texts, ids, strict=True))
    assert all(by_text[t] == i for t, i in zip(texts, ids, strict=True))  # one id per text
    assert len(set(by_text.values())) == 12 and by_text["topic 3"] == known
    assert [await store.topic_text(by_text[t]) for t in sorted(by_text)] == sorted(by_text)
    assert await store.remember_topic("topic 7") == by_text["topic 7"]


async def test_a_cancelled_topic_write_leaves_its_batch_to_the_next(db_path: Path) -> None:
    """The caller that writes a batch is cancelled mid-write: the others still get ids."""
    store = open_store(f"sqlite:///{db_path}")
    await store.open()
    try:
        writer = asyncio.create_task(store.remember_topic("first"))
        others = [asyncio.create_task(store.remember_topic(f"other {n}")) for n in range(5)]
        await asyncio.sleep(0)  # the writer holds the lock and has sent its statement
        writer.cancel()
        ids = await asyncio.wait_for(asyncio.gather(*others), 10)  # none waits forever
        assert len(set(ids)) == 5
        assert [await store.topic_text(i) for i in ids] == [f"other {n}" for n in range(5)]
        assert await store.topic_text(await store.remember_topic("first")) == "first"
    finally:
        await store.close()


async def test_everything_survives_a_restart(db_path: Path) -> None:
    first = open_store(f"sqlite:///{db_path}")
    await first.open()
    await _due_chat(first, 1)
    await first.record_delivery(1, [10], message_id=5)
    await first.close()
    second = open_store(f"sqlite:///{db_path}")
    await second.open()
    try:
        assert [s.topic for s in await second.subscriptions(1)] == ["topic 1"]
        assert await second.delivered(1, [10]) == {10}
        assert await second.claim_due_digests(NOW, "w", 60) == [1]
    finally:
        await second.close()


async def test_a_closed_store_raises_store_error(db_path: Path) -> None:
    closed = open_store(f"sqlite:///{db_path}")
    with pytest.raises(StoreError):
        await closed.subscriptions(1)
