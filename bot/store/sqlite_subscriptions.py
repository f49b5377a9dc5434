"""Subscriptions, chat settings, digest claims and the delivery log, for `SqliteStore`.

A mixin: `SqliteStore` inherits these methods and supplies the connection (`_conn`) and the
write lock. A claim is a lease (`claimed_by`, `claimed_until`): the worker that holds it owns
the chat's digest until it finishes or the lease runs out, so two workers, or two bot
instances on one database file, never send the same digest at the same time. Each claim is
one `UPDATE ... RETURNING` inside `BEGIN IMMEDIATE`, which SQLite runs under its single
write lock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime

import aiosqlite

from bot.models import ChatSettings, Subscription
from bot.store.base import UPDATES_KEPT_SECONDS, UPDATES_PRUNED_EVERY
from bot.store.sqlite_tx import SqlitePart, store_errors, write_transaction

_CHUNK = 500  # ids per `IN (...)` query, well under SQLite's bound-parameter limit
_SETTINGS = (
    "length, frequency, digest_hour, timezone, quiet_start, quiet_end, muted_sources, blocked"
)
_DUE = """
    c.next_due <= :now AND c.blocked = 0 AND c.frequency != 'off'
    AND (c.claimed_until IS NULL OR c.claimed_until <= :now)
    AND EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.chat_id = c.chat_id)
"""
_CLAIM_DUE = f"""
    UPDATE chat_settings SET claimed_by = :worker, claimed_until = :until
    WHERE chat_id IN (
        SELECT c.chat_id FROM chat_settings AS c WHERE {_DUE}
        ORDER BY c.next_due, c.chat_id LIMIT :limit
    )
    RETURNING chat_id, next_due
"""
_CLAIM_ONE = """
    UPDATE chat_settings SET claimed_by = :worker, claimed_until = :until
    WHERE chat_id = :chat_id
      AND (claimed_until IS NULL OR claimed_until <= :now OR claimed_by = :worker)
    RETURNING chat_id
"""
_UNSCHEDULED = """
    SELECT DISTINCT s.chat_id FROM subscriptions AS s
    LEFT JOIN chat_settings AS c ON c.chat_id = s.chat_id
    WHERE c.chat_id IS NULL OR (c.next_due IS NULL AND c.blocked = 0 AND c.frequency != 'off')
    ORDER BY s.chat_id LIMIT ?
"""


_MOVE_CHAT = (  # the new chat's own rows win; the old chat's rows that clash are dropped
    "UPDATE OR IGNORE subscriptions SET chat_id = :new WHERE chat_id = :old",
    "UPDATE OR IGNORE deliveries SET chat_id = :new WHERE chat_id = :old",
    "UPDATE OR IGNORE chat_settings SET chat_id = :new WHERE chat_id = :old",
    "DELETE FROM subscriptions WHERE chat_id = :old",
    "DELETE FROM deliveries WHERE chat_id = :old",
    "DELETE FROM chat_settings WHERE chat_id = :old",
)
_MOVED_SETTINGS = """
    UPDATE chat_settings SET blocked = 0, claimed_by = NULL, claimed_until = NULL,
        next_due = COALESCE(next_due, CASE WHEN frequency != 'off' THEN :now END)
    WHERE chat_id = :new
"""


def _seconds(moment: datetime) -> float:
    """Unix seconds of a datetime; a naive one is taken to be UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _subscription(row: sqlite3.Row) -> Subscription:
    """A `Subscription` from a `subscriptions` row."""
    created = datetime.fromisoformat(row["created"])
    return Subscription(
        id=int(row["id"]),
        chat_id=int(row["chat_id"]),
        topic=str(row["topic"]),
        must=tuple(json.loads(row["must"])),
        must_not=tuple(json.loads(row["must_not"])),
        created=created if created.tzinfo else created.replace(tzinfo=UTC),
    )


def _settings(chat_id: int, row: sqlite3.Row) -> ChatSettings:
    """`ChatSettings` from a `chat_settings` row selected with `_SETTINGS`."""
    return ChatSettings(
        chat_id=chat_id,
        length=str(row["length"]),
        frequency=str(row["frequency"]),
        digest_hour=int(row["digest_hour"]),
        timezone=str(row["timezone"]),
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        muted_sources=tuple(json.loads(row["muted_sources"])),
        blocked=bool(row["blocked"]),
    )


class SqliteSubscriptions(SqlitePart):
    """The `SubscriptionStore` half of `SqliteStore`."""

    _new_topics: dict[str, asyncio.Future[int]]  # topics waiting for `remember_topic`'s write

    def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """A write transaction on the store's connection (see `sqlite_tx`)."""
        return write_transaction(self._conn(), self._write_lock)

    @store_errors
    async def subscribe(self, subscription: Subscription) -> Subscription:
        """Add a subscription (same chat and topic: replace its filters); returns it with id."""
        sql = """
            INSERT INTO subscriptions (chat_id, topic, must, must_not, created)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id, topic)
                DO UPDATE SET must = excluded.must, must_not = excluded.must_not
            RETURNING id, created
        """
        created = subscription.created
        values = (
            subscription.chat_id,
            subscription.topic,
            json.dumps(list(subscription.must), ensure_ascii=False),
            json.dumps(list(subscription.must_not), ensure_ascii=False),
            (created if created.tzinfo else created.replace(tzinfo=UTC)).isoformat(),
        )
        async with self._transaction() as db, db.execute(sql, values) as cursor:
            row = await cursor.fetchone()
        assert row is not None  # an upsert with RETURNING always yields its row
        stored = datetime.fromisoformat(row["created"])
        return replace(subscription, id=int(row["id"]), created=stored)

    @store_errors
    async def unsubscribe(self, chat_id: int, subscription_id: int) -> bool:
        """Remove one of the chat's subscriptions; False when it was not there."""
        sql = "DELETE FROM subscriptions WHERE chat_id = ? AND id = ?"
        async with self._transaction() as db:
            cursor = await db.execute(sql, (chat_id, subscription_id))
        return cursor.rowcount > 0

    @store_errors
    async def subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""
        sql = "SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY id"
        return [_subscription(row) for row in await self._rows(sql, (chat_id,))]

    @store_errors
    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings (defaults when it never changed any)."""
        sql = f"SELECT {_SETTINGS} FROM chat_settings WHERE chat_id = ?"
        found = await self._rows(sql, (chat_id,))
        return _settings(chat_id, found[0]) if found else ChatSettings(chat_id)

    @store_errors
    async def save_chat_settings(self, settings: ChatSettings) -> None:
        """Store the chat's settings; its schedule and claim are left as they are."""
        columns = _SETTINGS.split(", ")
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
        sql = f"""
            INSERT INTO chat_settings (chat_id, {_SETTINGS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET {updates}
        """
        values = (
            settings.chat_id,
            settings.length,
            settings.frequency,
            settings.digest_hour,
            settings.timezone,
            settings.quiet_start,
            settings.quiet_end,
            json.dumps(list(settings.muted_sources), ensure_ascii=False),
            int(settings.blocked),
        )
        async with self._transaction() as db:
            await db.execute(sql, values)

    @store_errors
    async def schedule_digest(self, chat_id: int, when: datetime | None) -> None:
        """Set when the chat's next digest is due (None: no digest scheduled)."""
        sql = """
            INSERT INTO chat_settings (chat_id, next_due) VALUES (?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET next_due = excluded.next_due
        """
        async with self._transaction() as db:
            await db.execute(sql, (chat_id, None if when is None else _seconds(when)))

    @store_errors
    async def claim_due_digests(
        self, now: datetime, worker: str, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Claim up to `limit` due chats, earliest due first (see the module docstring)."""
        if limit <= 0:
            return []
        moment = _seconds(now)
        values = {"worker": worker, "now": moment, "until": moment + lease_seconds}
        async with (
            self._transaction() as db,
            db.execute(_CLAIM_DUE, {**values, "limit": limit}) as cursor,
        ):
            claimed = list(await cursor.fetchall())
        return [int(row[0]) for row in sorted(claimed, key=lambda row: (row[1], row[0]))]

    @store_errors
    async def claim_digest(
        self, chat_id: int, now: datetime, worker: str, lease_seconds: float
    ) -> bool:
        """Claim one chat's digest, due or not (/digest); False while another claim holds."""
        moment = _seconds(now)
        values = {"chat_id": chat_id, "worker": worker, "now": moment}
        async with self._transaction() as db:
            await db.execute("INSERT OR IGNORE INTO chat_settings (chat_id) VALUES (?)", (chat_id,))
            async with db.execute(_CLAIM_ONE, {**values, "until": moment + lease_seconds}) as cur:
                claimed = await cur.fetchall()
        return bool(claimed)

    @store_errors
    async def finish_digest(self, chat_id: int, worker: str, next_due: datetime | None) -> None:
        """Release the claim and set the next due time; a claim lost to another is left alone."""
        sql = """
            UPDATE chat_settings SET next_due = ?, claimed_by = NULL, claimed_until = NULL
            WHERE chat_id = ? AND claimed_by = ?
        """
        due = None if next_due is None else _seconds(next_due)
        async with self._transaction() as db:
            await db.execute(sql, (due, chat_id, worker))

    @store_errors
    async def unscheduled_chats(self, limit: int = 1000) -> list[int]:
        """Chats with subscriptions, not blocked, not "off", without a next digest time."""
        return [int(row[0]) for row in await self._rows(_UNSCHEDULED, (max(limit, 0),))]

    @store_errors
    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """Move a migrated group's rows to its new chat id (see `Store.move_chat`)."""
        values = {"old": old_chat_id, "new": new_chat_id, "now": _seconds(now)}
        moved = 0
        async with self._transaction() as db:
            for sql in _MOVE_CHAT:
                moved += (await db.execute(sql, values)).rowcount
            await db.execute(_MOVED_SETTINGS, values)
        return moved > 0

    @store_errors
    async def delivered(self, chat_id: int, article_ids: Sequence[int]) -> set[int]:
        """Which of `article_ids` were already sent to the chat."""
        ids = list(dict.fromkeys(article_ids))
        found: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT article_id FROM deliveries WHERE chat_id = ? AND article_id IN ({marks})"
            found.update(int(row[0]) for row in await self._rows(sql, (chat_id, *chunk)))
        return found

    @store_errors
    async def record_delivery(
        self, chat_id: int, article_ids: Sequence[int], message_id: int | None
    ) -> None:
        """Log that these articles reached the chat (idempotent: the first record stays)."""
        if not article_ids:
            return
        sql = """
            INSERT OR IGNORE INTO deliveries (chat_id, article_id, message_id, sent_at)
            VALUES (?, ?, ?, ?)
        """
        sent_at = time.time()
        rows = [(chat_id, article_id, message_id, sent_at) for article_id in article_ids]
        async with self._transaction() as db:
            await db.executemany(sql, rows)

    @store_errors
    async def prune_deliveries(self, before: datetime) -> int:
        """Forget deliveries sent before `before`; how many were forgotten."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM deliveries WHERE sent_at < ?", (_seconds(before),)
            )
        return max(cursor.rowcount, 0)

    @store_errors
    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """True for the first taker of this webhook update (every process on this file)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO updates_seen (update_id, seen) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (update_id, _seconds(now)),
            )
            if cursor.rowcount > 0 and update_id % UPDATES_PRUNED_EVERY == 0:
                forget = _seconds(now) - UPDATES_KEPT_SECONDS
                await db.execute("DELETE FROM updates_seen WHERE seen < ?", (forget,))
        return cursor.rowcount > 0

    @store_errors
    async def remember_topic(self, query: str) -> int:
        """A short stable id for a topic text (for button callback data).

        Topics asked for while the write lock is taken are written together: the first
        caller to get the lock writes every waiting topic in one autocommitted statement, and
        the others find their id ready. Every caller takes the lock in turn, so a failed or
        cancelled write leaves its batch to the next. One write per topic queued behind the
        first burst's searches made that burst 1 s longer on a store new to its topics.
        """
        waiting = self._new_topics.get(query)
        if waiting is None:
            waiting = self._new_topics[query] = asyncio.get_running_loop().create_future()
        async with self._write_lock:
            if not waiting.done():
                batch = dict(itertools.islice(self._new_topics.items(), _CHUNK))
                ids = await self._add_topics(list(batch))
                for text, future in batch.items():
                    del self._new_topics[text]
                    if not future.done():
                        future.set_result(ids[text])
        return await waiting

    async def _add_topics(self, texts: Sequence[str]) -> dict[str, int]:
        """Add the topics that are new (one autocommitted statement); the id of each."""
        rows = ", ".join("(?)" for _ in texts)
        add = f"""
            INSERT INTO topics (query) VALUES {rows}
            ON CONFLICT (query) DO UPDATE SET query = excluded.query RETURNING query, id
        """
        found = await self._conn().execute_fetchall(add, texts)
        return {str(text): int(topic_id) for text, topic_id in found}

    @store_errors
    async def topic_text(self, topic_id: int) -> str | None:
        """The topic text behind an id from `remember_topic`, or None."""
        found = await self._rows("SELECT query FROM topics WHERE id = ?", (topic_id,))
        return str(found[0][0]) if found else None
