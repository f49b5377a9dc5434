"""Subscriptions, chat settings, digest claims, the delivery log and topic ids (part of `SqlStore`).

A digest claim is a lease (`claimed_by`, `claimed_until`): the worker that holds it owns the
chat's digest until it finishes or the lease runs out, so two workers, or two bot instances
on one database, never send the same digest at the same time; the claim of an instance that
died expires and another finishes the digest, and the delivery log tells it what was sent.
Each claim is one `UPDATE ... RETURNING`: under SQLite's single write lock, or picking rows
`FOR UPDATE SKIP LOCKED` on PostgreSQL so concurrent instances never wait for each other.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.models import ChatSettings, Subscription
from bot.store.base import UPDATES_KEPT_SECONDS, UPDATES_PRUNED_EVERY
from bot.store.database import CHUNK, Database, Row, chunks, store_errors
from bot.store.dialects import Dialect
from bot.store.tables import chat_settings, deliveries, subscriptions, topics, updates_seen

_C = chat_settings.c
_S = subscriptions.c
_SETTINGS = (
    "length", "frequency", "digest_hour", "timezone", "quiet_start", "quiet_end",
    "muted_sources", "blocked",
)  # fmt: skip


@functools.cache
def _add_topic(dialect: Dialect) -> sa.Insert:
    """INSERT of a topic (`:query`) that returns its id, new or not; built and compiled once
    (several rows are sent as one multi-row INSERT). Built per call with its rows as values,
    it was compiled again for every new topic: ~10% of the bot's CPU under new topics."""
    add = dialect.insert(topics).values(query=sa.bindparam("query"))
    add = add.on_conflict_do_update(
        index_elements=[topics.c.query], set_={"query": add.excluded.query}
    )
    statement: sa.Insert = add.returning(topics.c.query, topics.c.id)
    return statement


def _seconds(moment: datetime) -> float:
    """Unix seconds of a datetime; a naive one is taken to be UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _subscription(row: Row) -> Subscription:
    """A `Subscription` from a `subscriptions` row."""
    return Subscription(
        id=int(row.id),
        chat_id=int(row.chat_id),
        topic=str(row.topic),
        must=tuple(row.must),
        must_not=tuple(row.must_not),
        created=row.created,
    )


def _wants_digests() -> sa.ColumnElement[bool]:
    """Chats that are not blocked and did not turn digests off."""
    return sa.and_(_C.blocked.is_(False), _C.frequency != "off")


def _unclaimed(now: float) -> sa.ColumnElement[bool]:
    """Chats whose digest nobody holds a lease on at `now`."""
    return sa.or_(_C.claimed_until.is_(None), _C.claimed_until <= now)


def _has_subscriptions() -> sa.ColumnElement[bool]:
    """Chats with at least one subscription."""
    return sa.exists().where(_S.chat_id == _C.chat_id)


class SubscriptionPart(Database):
    """The `SubscriptionStore` half of `SqlStore`."""

    _topic_lock: asyncio.Lock
    _new_topics: dict[str, asyncio.Future[int]]  # topics waiting for `remember_topic`'s write

    @store_errors
    async def subscribe(self, subscription: Subscription) -> Subscription:
        """Add a subscription (same chat and topic: replace its filters); returns it with id."""
        s = subscription
        values = {"chat_id": s.chat_id, "topic": s.topic, "must": s.must, "must_not": s.must_not}
        add = self.dialect.insert(subscriptions).values(**values, created=s.created)
        add = add.on_conflict_do_update(
            index_elements=[_S.chat_id, _S.topic],
            set_={"must": add.excluded.must, "must_not": add.excluded.must_not},
        ).returning(*subscriptions.c)
        return _subscription(await self._write(lambda c: c.execute(add).one()))

    @store_errors
    async def unsubscribe(self, chat_id: int, subscription_id: int) -> bool:
        """Remove one of the chat's subscriptions; False when it was not there."""
        remove = sa.delete(subscriptions).where(_S.chat_id == chat_id, _S.id == subscription_id)
        return await self._write(lambda c: c.execute(remove).rowcount > 0)

    @store_errors
    async def subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""
        found = sa.select(subscriptions).where(_S.chat_id == chat_id).order_by(_S.id)
        return [_subscription(row) for row in await self._read(found)]

    @store_errors
    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings (defaults when it never changed any)."""
        columns = [_C[name] for name in _SETTINGS]
        found = await self._read(sa.select(*columns).where(_C.chat_id == chat_id))
        if not found:
            return ChatSettings(chat_id)
        values = dict(zip(_SETTINGS, found[0], strict=True))
        values["muted_sources"] = tuple(values["muted_sources"])
        values["blocked"] = bool(values["blocked"])
        return ChatSettings(chat_id, **values)

    @store_errors
    async def save_chat_settings(self, settings: ChatSettings) -> None:
        """Store the chat's settings; its schedule and claim are left as they are."""
        values = {name: getattr(settings, name) for name in _SETTINGS}
        add = self.dialect.insert(chat_settings).values(chat_id=settings.chat_id, **values)
        add = add.on_conflict_do_update(
            index_elements=[_C.chat_id], set_={name: add.excluded[name] for name in _SETTINGS}
        )
        await self._execute(add)

    @store_errors
    async def schedule_digest(self, chat_id: int, when: datetime | None) -> None:
        """Set when the chat's next digest is due (None: no digest scheduled)."""
        due = None if when is None else _seconds(when)
        add = self.dialect.insert(chat_settings).values(chat_id=chat_id, next_due=due)
        add = add.on_conflict_do_update(
            index_elements=[_C.chat_id], set_={"next_due": add.excluded.next_due}
        )
        await self._execute(add)

    @store_errors
    async def claim_due_digests(
        self, now: datetime, worker: str, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Claim up to `limit` due chats, earliest due first (see the module docstring)."""
        if limit <= 0:
            return []
        moment = _seconds(now)
        due = (
            sa.select(_C.chat_id)
            .where(_C.next_due <= moment, _wants_digests(), _unclaimed(moment))
            .where(_has_subscriptions())
            .order_by(_C.next_due, _C.chat_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            sa.update(chat_settings)
            .where(_C.chat_id.in_(due))
            .values(claimed_by=worker, claimed_until=moment + lease_seconds)
            .returning(_C.chat_id, _C.next_due)
        )
        claimed = await self._write(lambda c: c.execute(claim).all())
        return [int(row[0]) for row in sorted(claimed, key=lambda row: (row[1], row[0]))]

    @store_errors
    async def claim_digest(
        self, chat_id: int, now: datetime, worker: str, lease_seconds: float
    ) -> bool:
        """Claim one chat's digest, due or not (/digest); False while another claim holds."""
        moment = _seconds(now)
        add = self.dialect.insert(chat_settings).values(chat_id=chat_id).on_conflict_do_nothing()
        claim = (
            sa.update(chat_settings)
            .where(_C.chat_id == chat_id, sa.or_(_unclaimed(moment), _C.claimed_by == worker))
            .values(claimed_by=worker, claimed_until=moment + lease_seconds)
            .returning(_C.chat_id)
        )

        def take(conn: sa.Connection) -> bool:
            conn.execute(add)
            return bool(conn.execute(claim).all())

        return await self._write(take)

    @store_errors
    async def finish_digest(self, chat_id: int, worker: str, next_due: datetime | None) -> None:
        """Release the claim and set the next due time; a claim lost to another is left alone."""
        finish = (
            sa.update(chat_settings)
            .where(_C.chat_id == chat_id, _C.claimed_by == worker)
            .values(
                next_due=None if next_due is None else _seconds(next_due),
                claimed_by=None,
                claimed_until=None,
            )
        )
        await self._execute(finish)

    @store_errors
    async def unscheduled_chats(self, limit: int = 1000) -> list[int]:
        """Chats with subscriptions, not blocked, not "off", without a next digest time."""
        found = (
            sa.select(_S.chat_id)
            .distinct()
            .join_from(subscriptions, chat_settings, _C.chat_id == _S.chat_id, isouter=True)
            .where(sa.or_(_C.chat_id.is_(None), sa.and_(_C.next_due.is_(None), _wants_digests())))
            .order_by(_S.chat_id)
            .limit(max(limit, 0))
        )
        return [int(row[0]) for row in await self._read(found)]

    @store_errors
    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """Move a migrated group's rows to its new chat id (see `Store.move_chat`).

        The new chat's own rows win; the old chat's rows that clash are dropped.
        """
        old, new = old_chat_id, new_chat_id
        theirs = sa.select(_S.topic).where(_S.chat_id == new)
        D = deliveries.c
        copied = sa.select(sa.literal(new), D.article_id, D.message_id, D.sent_at)
        copy = self.dialect.insert(deliveries).from_select(
            ["chat_id", "article_id", "message_id", "sent_at"], copied.where(D.chat_id == old)
        )
        taken = sa.exists().where(chat_settings.alias("n").c.chat_id == new)
        statements: list[sa.Executable] = [
            sa.update(subscriptions)
            .where(_S.chat_id == old, _S.topic.not_in(theirs))
            .values(chat_id=new),
            copy.on_conflict_do_nothing().returning(D.article_id),
            sa.update(chat_settings).where(_C.chat_id == old, ~taken).values(chat_id=new),
            sa.delete(subscriptions).where(_S.chat_id == old),
            sa.delete(deliveries).where(D.chat_id == old),
            sa.delete(chat_settings).where(_C.chat_id == old),
        ]
        due_now = sa.case((_C.frequency != "off", _seconds(now)), else_=None)
        unblock = (
            sa.update(chat_settings)
            .where(_C.chat_id == new)
            .values(
                blocked=False,
                claimed_by=None,
                claimed_until=None,
                next_due=sa.func.coalesce(_C.next_due, due_now),
            )
        )

        def move(conn: sa.Connection) -> bool:
            moved = 0
            for statement in statements:
                result = conn.execute(statement)
                # psycopg reports no row count for INSERT: count what RETURNING returns
                moved += len(result.all()) if result.returns_rows else result.rowcount
            conn.execute(unblock)
            return moved > 0

        return await self._write(move)

    @store_errors
    async def delivered(self, chat_id: int, article_ids: Sequence[int]) -> set[int]:
        """Which of `article_ids` were already sent to the chat."""
        found: set[int] = set()
        D = deliveries.c
        for chunk in chunks(article_ids):
            query = sa.select(D.article_id).where(D.chat_id == chat_id, D.article_id.in_(chunk))
            found.update(int(row[0]) for row in await self._read(query))
        return found

    @store_errors
    async def record_delivery(
        self, chat_id: int, article_ids: Sequence[int], message_id: int | None
    ) -> None:
        """Log that these articles reached the chat (idempotent: the first record stays)."""
        if not article_ids:
            return
        sent_at = time.time()
        rows = [
            {"chat_id": chat_id, "article_id": a, "message_id": message_id, "sent_at": sent_at}
            for a in dict.fromkeys(article_ids)
        ]
        await self._execute(self.dialect.insert(deliveries).on_conflict_do_nothing(), rows)

    @store_errors
    async def prune_deliveries(self, before: datetime) -> int:
        """Forget deliveries sent before `before`; how many were forgotten."""
        prune = sa.delete(deliveries).where(deliveries.c.sent_at < _seconds(before))
        return await self._write(lambda c: max(c.execute(prune).rowcount, 0))

    @store_errors
    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """True for the first taker of this webhook update (every process, every instance)."""
        moment = _seconds(now)
        claim = self.dialect.insert(updates_seen).values(update_id=update_id, seen=moment)
        claim = claim.on_conflict_do_nothing().returning(updates_seen.c.update_id)
        forget = sa.delete(updates_seen).where(updates_seen.c.seen < moment - UPDATES_KEPT_SECONDS)

        def take(conn: sa.Connection) -> bool:
            taken = conn.execute(claim).first() is not None
            if taken and update_id % UPDATES_PRUNED_EVERY == 0:
                conn.execute(forget)
            return taken

        return await self._write(take)

    @store_errors
    async def remember_topic(self, query: str) -> int:
        """A short stable id for a topic text (for button callback data).

        Topics asked for while another caller writes are written together: the first caller
        to get the lock writes every waiting topic in one statement, and the others find
        their id ready. Every caller takes the lock in turn, so a failed or cancelled write
        leaves its batch to the next. One write per topic queued behind the first burst's
        searches made that burst 1 s longer on a store new to its topics.
        """
        waiting = self._new_topics.get(query)
        if waiting is None:
            waiting = self._new_topics[query] = asyncio.get_running_loop().create_future()
        async with self._topic_lock:
            if not waiting.done():
                batch = dict(itertools.islice(self._new_topics.items(), CHUNK))
                ids = await self._add_topics(list(batch))
                for text, future in batch.items():
                    del self._new_topics[text]
                    if not future.done():
                        future.set_result(ids[text])
        return await waiting

    async def _add_topics(self, texts: Sequence[str]) -> dict[str, int]:
        """Add the topics that are new (one statement); the id of each."""
        add, rows = _add_topic(self.dialect), [{"query": text} for text in texts]
        found = await self._write(lambda c: c.execute(add, rows).all())
        return {str(text): int(topic_id) for text, topic_id in found}

    @store_errors
    async def topic_text(self, topic_id: int) -> str | None:
        """The topic text behind an id from `remember_topic`, or None."""
        found = await self._read(sa.select(topics.c.query).where(topics.c.id == topic_id))
        return str(found[0][0]) if found else None
