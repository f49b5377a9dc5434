"""The subscription half of the `Store` protocol, on both backends (see conftest `store`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.models import ChatSettings, Subscription
from bot.store import Store, open_store

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


async def test_subscribe_replaces_filters_and_unsubscribe(store: Store) -> None:
    first = await store.subscribe(Subscription(7, "climate", ("ice",)))
    again = await store.subscribe(Subscription(7, "climate", ("sea",), ("rain",)))
    other = await store.subscribe(Subscription(7, "football"))
    assert first.id == again.id and first.id is not None and other.id is not None
    found = await store.subscriptions(7)
    assert [(s.topic, s.must, s.must_not) for s in found] == [
        ("climate", ("sea",), ("rain",)),
        ("football", (), ()),
    ]
    assert await store.unsubscribe(7, other.id) is True
    assert await store.unsubscribe(7, other.id) is False
    assert await store.unsubscribe(8, first.id) is False  # not that chat's subscription
    assert [s.topic for s in await store.subscriptions(7)] == ["climate"]


async def test_settings_default_then_round_trip(store: Store) -> None:
    assert await store.chat_settings(5) == ChatSettings(5)
    changed = ChatSettings(5, "short", "twice", 21, "Europe/Paris", 22, 7, ("Wire",), True)
    await store.save_chat_settings(changed)
    assert await store.chat_settings(5) == changed


async def _due_chat(store: Store, chat_id: int, minutes_ago: int) -> None:
    """A chat with a subscription whose digest was due `minutes_ago`."""
    await store.subscribe(Subscription(chat_id, f"topic {chat_id}"))
    await store.schedule_digest(chat_id, NOW - timedelta(minutes=minutes_ago))


async def test_claims_are_exclusive_until_the_lease_expires(store: Store) -> None:
    await _due_chat(store, 1, 5)
    await _due_chat(store, 2, 10)
    await store.schedule_digest(3, NOW - timedelta(minutes=1))  # no subscriptions: never due
    await _due_chat(store, 4, 1)
    await store.save_chat_settings(ChatSettings(4, blocked=True))  # blocked: never due
    assert await store.claim_due_digests(NOW, "a", 60) == [2, 1]
    assert await store.claim_due_digests(NOW, "b", 60) == []
    later = NOW + timedelta(seconds=61)  # "a" died: its claims expired
    assert await store.claim_due_digests(later, "b", 60) == [2, 1]
    await store.finish_digest(2, "a", NOW + timedelta(days=1))  # a lost claim: no effect
    await store.finish_digest(1, "b", NOW + timedelta(days=1))
    assert await store.claim_due_digests(later + timedelta(seconds=61), "c", 60) == [2]


async def test_concurrent_claimers_split_the_work(store: Store, store_url: str) -> None:
    for chat in range(1, 41):
        await _due_chat(store, chat, chat)
    second = open_store(store_url)
    await second.open()
    try:
        batches = await asyncio.gather(
            *(
                (store if n % 2 else second).claim_due_digests(NOW, f"w{n}", 60, limit=7)
                for n in range(8)
            )
        )
    finally:
        await second.close()
    claimed = [chat for batch in batches for chat in batch]
    assert sorted(claimed) == list(range(1, 41))  # each chat once, none twice


async def test_claim_one_digest_now(store: Store) -> None:
    assert await store.claim_digest(9, NOW, "a", 60) is True
    assert await store.claim_digest(9, NOW, "b", 60) is False
    assert await store.claim_digest(9, NOW, "a", 60) is True  # the holder may renew


async def test_delivery_log_is_idempotent(store: Store) -> None:
    assert await store.delivered(3, []) == set()
    await store.record_delivery(3, [10, 11], 500)
    await store.record_delivery(3, [11, 12], 501)
    assert await store.delivered(3, [10, 11, 12, 13]) == {10, 11, 12}
    assert await store.delivered(4, [10]) == set()


async def test_topic_ids_are_stable(store: Store) -> None:
    first = await store.remember_topic("climate change")
    assert await store.remember_topic("climate change") == first
    assert await store.remember_topic("other") != first
    assert await store.topic_text(first) == "climate change"
    assert await store.topic_text(first + 1000) is None


async def test_unscheduled_chats_are_found(store: Store) -> None:
    await store.subscribe(Subscription(1, "a"))
    await _due_chat(store, 2, 1)
    assert await store.unscheduled_chats() == [1]


async def test_a_migrated_group_keeps_its_subscriptions_settings_and_log(store: Store) -> None:
    """Group -5 became supergroup -1005: everything moves; what -1005 had already stays."""
    old, new = -5, -1005
    climate = await store.subscribe(Subscription(old, "climate", ("ice",)))
    await store.subscribe(Subscription(old, "football"))
    await store.subscribe(Subscription(new, "football", ("cup",)))  # the new chat's own
    await store.save_chat_settings(ChatSettings(old, "short", blocked=True))  # marked gone
    await store.record_delivery(old, [1, 2], 77)
    await store.record_delivery(new, [2], 88)
    await store.subscribe(Subscription(9, "climate"))  # another chat: untouched
    await store.record_delivery(9, [1], 5)
    assert await store.move_chat(old, new, NOW) is True
    assert await store.subscriptions(old) == []
    moved = await store.subscriptions(new)
    assert [(s.topic, s.must) for s in moved] == [("climate", ("ice",)), ("football", ("cup",))]
    assert moved[0].id == climate.id  # buttons that name the subscription still work
    assert await store.chat_settings(new) == ChatSettings(new, "short")  # and unblocked
    assert await store.chat_settings(old) == ChatSettings(old)
    assert await store.delivered(new, [1, 2, 3]) == {1, 2}
    assert await store.delivered(old, [1, 2]) == set()
    assert await store.delivered(9, [1]) == {1}
    assert await store.claim_due_digests(NOW, "w", 60) == [new]  # blocked before: due now
    assert await store.move_chat(old, new, NOW) is False  # nothing left to move


async def test_a_moved_chat_is_due_at_once_and_unclaimed(store: Store) -> None:
    """A digest run that met the migration held a claim on the old id: the new one is free."""
    await _due_chat(store, -6, 5)
    assert await store.claim_due_digests(NOW, "run", 600) == [-6]
    await store.save_chat_settings(ChatSettings(-1006, frequency="weekly"))  # the new chat's
    assert await store.move_chat(-6, -1006, NOW) is True
    assert await store.claim_due_digests(NOW, "next", 600) == [-1006]
    assert (await store.chat_settings(-1006)).frequency == "weekly"
    await store.finish_digest(-6, "run", None)  # the old run's release finds nothing
    assert await store.claim_due_digests(NOW, "again", 600) == []


async def test_old_deliveries_are_forgotten(store: Store) -> None:
    """Deliveries sent before the cut are deleted (every chat); later ones stay."""
    await store.record_delivery(1, [10, 11], 5)
    await store.record_delivery(2, [10], 6)
    sent = datetime.now(UTC)
    assert await store.prune_deliveries(sent - timedelta(days=1)) == 0
    assert await store.delivered(1, [10, 11]) == {10, 11}
    assert await store.prune_deliveries(sent + timedelta(seconds=5)) == 3
    assert await store.delivered(1, [10, 11]) == set() and await store.delivered(2, [10]) == set()


async def test_an_update_is_claimed_once_and_old_claims_are_forgotten(store: Store) -> None:
    """claim_update: True the first time only; claims over a day old are pruned."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert await store.claim_update(7, now) is True
    assert await store.claim_update(7, now) is False
    results = await asyncio.gather(*(store.claim_update(8, now) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    later = now + timedelta(days=2)
    assert await store.claim_update(100, later) is True  # every 100th prunes
    assert await store.claim_update(7, later) is True  # forgotten: a day is long past
