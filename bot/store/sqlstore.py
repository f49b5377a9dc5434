"""`SqlStore`: the one `Store`, on SQLAlchemy Core, for SQLite and PostgreSQL alike.

Its parts: articles and search (`articles.py`), feeds and stories (`feeds.py`),
subscriptions and digests (`subscriptions.py`), over the engine, reads and write
transactions of `database.py`; tables in `tables.py`, what differs between the backends in
`dialects.py`, the schema's history in `migrations/`.
"""

from __future__ import annotations

import asyncio

from bot.store.database import store_errors
from bot.store.dialects import PAUSE_KEY, RESERVE_SLOT
from bot.store.feeds import FeedPart
from bot.store.subscriptions import SubscriptionPart


class SqlStore(SubscriptionPart, FeedPart):
    """`Store` on SQLite (one file, WAL) or PostgreSQL (many instances)."""

    def __init__(self, database_url: str, *, auto_migrate: bool = False) -> None:
        """Remember where the database is; nothing is opened yet."""
        super().__init__(database_url, auto_migrate=auto_migrate)
        self._topic_lock = asyncio.Lock()
        self._new_topics = {}

    @property
    def shares_rate_limits(self) -> bool:
        """Whether `reserve_slot`/`pause_key` pace a fleet (PostgreSQL); SQLite: no."""
        return not self.is_sqlite

    @store_errors
    async def reserve_slot(self, key: str, interval: float, burst: float) -> float:
        """Take the next send slot of `key`; seconds to wait for it (fleet pacing)."""
        values = {"key": key, "interval": interval, "burst": burst}
        return await self._write(lambda c: float(c.execute(RESERVE_SLOT, values).scalar() or 0))

    @store_errors
    async def pause_key(self, key: str, seconds: float) -> None:
        """Hold `key` back for `seconds` fleet-wide (a 429 seen by one instance)."""
        await self._execute(PAUSE_KEY, {"key": key, "seconds": seconds})
