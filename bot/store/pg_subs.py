"""The subscription half of `PostgresStore`: subscriptions, chat settings, digest claims,
the delivery log and topic ids.

Digest claims are row claims with a lease (`claimed_by`, `claimed_until` on `chat_settings`,
Unix seconds like the SQLite schema): `claim_due_digests` picks due rows with
`FOR UPDATE SKIP LOCKED` and stamps them with the worker and the lease end in one statement,
so concurrent instances never claim the same chat, and the claim of an instance that died
expires, after which another instance finishes the digest; the delivery log tells it what
was already sent.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.models import ChatSettings, Subscription
from bot.store.base import UPDATES_KEPT_SECONDS, UPDATES_PRUNED_EVERY
from bot.store.pg_pool import PgPoolOwner, pg_errors

_MOVE_CHAT = (  # the new chat's own rows win; the old chat's rows that clash are dropped
    """
    UPDATE subscriptions SET chat_id = %(new)s WHERE chat_id = %(old)s
        AND topic NOT IN (SELECT topic FROM subscriptions WHERE chat_id = %(new)s)
    """,
    """
    INSERT INTO deliveries (chat_id, article_id, message_id, sent_at)
    SELECT %(new)s, article_id, message_id, sent_at FROM deliveries WHERE chat_id = %(old)s
    ON CONFLICT (chat_id, article_id) DO NOTHING
    """,
    """
    UPDATE chat_settings SET chat_id = %(new)s WHERE chat_id = %(old)s
        AND NOT EXISTS (SELECT 1 FROM chat_settings WHERE chat_id = %(new)s)
    """,
    "DELETE FROM subscriptions WHERE chat_id = %(old)s",
    "DELETE FROM deliveries WHERE chat_id = %(old)s",
    "DELETE FROM chat_settings WHERE chat_id = %(old)s",
)
_MOVED_SETTINGS = """
    UPDATE chat_settings SET blocked = FALSE, claimed_by = NULL, claimed_until = NULL,
        next_due = COALESCE(next_due, CASE WHEN frequency != 'off' THEN %(now)s END)
    WHERE chat_id = %(new)s
"""
_DUE = """
    c.next_due <= %(now)s AND NOT c.blocked AND c.frequency != 'off'
    AND (c.claimed_until IS NULL OR c.claimed_until <= %(now)s)
    AND EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.chat_id = c.chat_id)
"""
_CLAIM_DUE = f"""
    WITH due AS (
        SELECT c.chat_id FROM chat_settings AS c WHERE {_DUE}
        ORDER BY c.next_due, c.chat_id LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    )
    UPDATE chat_settings AS c SET claimed_by = %(worker)s, claimed_until = %(until)s
    FROM due WHERE c.chat_id = due.chat_id
    RETURNING c.chat_id, c.next_due
"""
_CLAIM_ONE = """
    UPDATE chat_settings SET claimed_by = %(worker)s, claimed_until = %(until)s
    WHERE chat_id = %(chat_id)s
      AND (claimed_until IS NULL OR claimed_until <= %(now)s OR claimed_by = %(worker)s)
    RETURNING chat_id
"""
_UNSCHEDULED = """
    SELECT DISTINCT s.chat_id FROM subscriptions AS s
    LEFT JOIN chat_settings AS c ON c.chat_id = s.chat_id
    WHERE c.chat_id IS NULL OR (c.next_due IS NULL AND NOT c.blocked AND c.frequency != 'off')
    ORDER BY s.chat_id LIMIT %s
"""

_SAVE_SETTINGS = """
    INSERT INTO chat_settings (chat_id, length, frequency, digest_hour, timezone,
        quiet_start, quiet_end, muted_sources, blocked)
    VALUES (%(chat_id)s, %(length)s, %(frequency)s, %(digest_hour)s, %(timezone)s,
        %(quiet_start)s, %(quiet_end)s, %(muted_sources)s, %(blocked)s)
    ON CONFLICT (chat_id) DO UPDATE SET length = EXCLUDED.length,
        frequency = EXCLUDED.frequency, digest_hour = EXCLUDED.digest_hour,
        timezone = EXCLUDED.timezone, quiet_start = EXCLUDED.quiet_start,
        quiet_end = EXCLUDED.quiet_end, muted_sources = EXCLUDED.muted_sources,
        blocked = EXCLUDED.blocked
"""


def _seconds(moment: datetime) -> float:
    """Unix seconds of a datetime; a naive one is taken to be UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _subscription(row: Sequence[Any]) -> Subscription:
    """A `Subscription` from (id, chat_id, topic, must, must_not, created)."""
    return Subscription(
        id=int(row[0]),
        chat_id=int(row[1]),
        topic=str(row[2]),
        must=tuple(row[3]),
        must_not=tuple(row[4]),
        created=row[5],
    )


class PgSubscriptions(PgPoolOwner):
    """`SubscriptionStore` on PostgreSQL."""

    @pg_errors
    async def subscribe(self, subscription: Subscription) -> Subscription:
        """Add a subscription (same chat and topic: replace its filters); returns it with id."""
        sql = """
            INSERT INTO subscriptions (chat_id, topic, must, must_not, created)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (chat_id, topic)
                DO UPDATE SET must = EXCLUDED.must, must_not = EXCLUDED.must_not
            RETURNING id, chat_id, topic, must, must_not, created
        """
        s = subscription
        values = (s.chat_id, s.topic, list(s.must), list(s.must_not), s.created)
        async with self.connection() as conn:
            row = await (await conn.execute(sql, values)).fetchone()
        assert row is not None
        return _subscription(row)

    @pg_errors
    async def unsubscribe(self, chat_id: int, subscription_id: int) -> bool:
        """Remove one of the chat's subscriptions; False when it was not there."""
        sql = "DELETE FROM subscriptions WHERE chat_id = %s AND id = %s"
        async with self.connection() as conn:
            cursor = await conn.execute(sql, (chat_id, subscription_id))
        return cursor.rowcount > 0

    @pg_errors
    async def subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""
        sql = """
            SELECT id, chat_id, topic, must, must_not, created FROM subscriptions
            WHERE chat_id = %s ORDER BY id
        """
        async with self.connection() as conn:
            rows = await (await conn.execute(sql, (chat_id,))).fetchall()
        return [_subscription(row) for row in rows]

    @pg_errors
    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings (defaults when it never changed any)."""
        sql = """
            SELECT length, frequency, digest_hour, timezone, quiet_start, quiet_end,
                   muted_sources, blocked
            FROM chat_settings WHERE chat_id = %s
        """
        async with self.connection() as conn:
            row = await (await conn.execute(sql, (chat_id,))).fetchone()
        if row is None:
            return ChatSettings(chat_id=chat_id)
        length, frequency, hour, zone, quiet_start, quiet_end, muted, blocked = row
        return ChatSettings(
            chat_id, length, frequency, hour, zone, quiet_start, quiet_end, tuple(muted), blocked
        )

    @pg_errors
    async def save_chat_settings(self, settings: ChatSettings) -> None:
        """Store the chat's settings."""
        values = {
            "chat_id": settings.chat_id,
            "length": settings.length,
            "frequency": settings.frequency,
            "digest_hour": settings.digest_hour,
            "timezone": settings.timezone,
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "muted_sources": list(settings.muted_sources),
            "blocked": settings.blocked,
        }
        async with self.connection() as conn:
            await conn.execute(_SAVE_SETTINGS, values)

    @pg_errors
    async def schedule_digest(self, chat_id: int, when: datetime | None) -> None:
        """Set when the chat's next digest is due (None: no digest scheduled)."""
        sql = """
            INSERT INTO chat_settings (chat_id, next_due) VALUES (%s, %s)
            ON CONFLICT (chat_id) DO UPDATE SET next_due = EXCLUDED.next_due
        """
        async with self.connection() as conn:
            await conn.execute(sql, (chat_id, None if when is None else _seconds(when)))

    @pg_errors
    async def claim_due_digests(
        self, now: datetime, worker: str, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Claim up to `limit` due chats, earliest due first (see the module docstring)."""
        if limit <= 0:
            return []
        moment = _seconds(now)
        values = {"now": moment, "until": moment + lease_seconds, "worker": worker}
        async with self.connection() as conn:
            cursor = await conn.execute(_CLAIM_DUE, {**values, "limit": limit})
            rows = await cursor.fetchall()
        return [int(row[0]) for row in sorted(rows, key=lambda row: (row[1], row[0]))]

    @pg_errors
    async def claim_digest(
        self, chat_id: int, now: datetime, worker: str, lease_seconds: float
    ) -> bool:
        """Claim one chat's digest, due or not (/digest); False while another claim holds."""
        moment = _seconds(now)
        values = {"chat_id": chat_id, "worker": worker, "now": moment}
        add = "INSERT INTO chat_settings (chat_id) VALUES (%s) ON CONFLICT DO NOTHING"
        async with self.connection() as conn, conn.transaction():
            await conn.execute(add, (chat_id,))
            cursor = await conn.execute(_CLAIM_ONE, {**values, "until": moment + lease_seconds})
            return bool(await cursor.fetchall())

    @pg_errors
    async def finish_digest(self, chat_id: int, worker: str, next_due: datetime | None) -> None:
        """Release the claim and set the next due time; a claim lost to another is left alone."""
        sql = """
            UPDATE chat_settings SET next_due = %s, claimed_by = NULL, claimed_until = NULL
            WHERE chat_id = %s AND claimed_by = %s
        """
        due = None if next_due is None else _seconds(next_due)
        async with self.connection() as conn:
            await conn.execute(sql, (due, chat_id, worker))

    @pg_errors
    async def unscheduled_chats(self, limit: int = 1000) -> list[int]:
        """Chats with subscriptions, not blocked, not "off", without a next digest time."""
        async with self.connection() as conn:
            rows = await (await conn.execute(_UNSCHEDULED, (max(limit, 0),))).fetchall()
        return [int(row[0]) for row in rows]

    @pg_errors
    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """Move a migrated group's rows to its new chat id (see `Store.move_chat`)."""
        values = {"old": old_chat_id, "new": new_chat_id, "now": _seconds(now)}
        moved = 0
        async with self.connection() as conn, conn.transaction():
            for sql in _MOVE_CHAT:
                moved += (await conn.execute(sql, values)).rowcount
            await conn.execute(_MOVED_SETTINGS, values)
        return moved > 0

    @pg_errors
    async def delivered(self, chat_id: int, article_ids: Sequence[int]) -> set[int]:
        """Which of `article_ids` were already sent to the chat."""
        if not article_ids:
            return set()
        sql = "SELECT article_id FROM deliveries WHERE chat_id = %s AND article_id = ANY(%s)"
        async with self.connection() as conn:
            rows = await (await conn.execute(sql, (chat_id, list(article_ids)))).fetchall()
        return {int(row[0]) for row in rows}

    @pg_errors
    async def record_delivery(
        self, chat_id: int, article_ids: Sequence[int], message_id: int | None
    ) -> None:
        """Log that these articles reached the chat (idempotent)."""
        sql = """
            INSERT INTO deliveries (chat_id, article_id, message_id, sent_at)
            SELECT %s, unnest(%s::BIGINT[]), %s, %s
            ON CONFLICT (chat_id, article_id) DO NOTHING
        """
        values = (chat_id, list(article_ids), message_id, time.time())
        async with self.connection() as conn:
            await conn.execute(sql, values)

    @pg_errors
    async def prune_deliveries(self, before: datetime) -> int:
        """Forget deliveries sent before `before`; how many were forgotten."""
        async with self.connection() as conn:
            cursor = await conn.execute(
                "DELETE FROM deliveries WHERE sent_at < %s", (_seconds(before),)
            )
        return max(cursor.rowcount, 0)

    @pg_errors
    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """True for the first instance to take this webhook update (the whole fleet)."""
        claim = "INSERT INTO updates_seen VALUES (%s, %s) ON CONFLICT DO NOTHING"
        async with self.connection() as conn:
            cursor = await conn.execute(claim, (update_id, _seconds(now)))
            if cursor.rowcount > 0 and update_id % UPDATES_PRUNED_EVERY == 0:
                forget = _seconds(now) - UPDATES_KEPT_SECONDS
                await conn.execute("DELETE FROM updates_seen WHERE seen < %s", (forget,))
        return cursor.rowcount > 0

    @pg_errors
    async def remember_topic(self, query: str) -> int:
        """A short stable id for a topic text (for button callback data)."""
        find = "SELECT id FROM topics WHERE query = %s"
        add = "INSERT INTO topics (query) VALUES (%s) ON CONFLICT (query) DO NOTHING RETURNING id"
        async with self.connection() as conn:
            for sql in (find, add, find):  # a concurrent insert makes `add` return nothing
                row = await (await conn.execute(sql, (query,))).fetchone()
                if row is not None:
                    return int(row[0])
        raise AssertionError("unreachable: the topic exists after the insert")

    @pg_errors
    async def topic_text(self, topic_id: int) -> str | None:
        """The topic text behind an id from `remember_topic`, or None."""
        async with self.connection() as conn:
            cursor = await conn.execute("SELECT query FROM topics WHERE id = %s", (topic_id,))
            row = await cursor.fetchone()
        return None if row is None else str(row[0])
