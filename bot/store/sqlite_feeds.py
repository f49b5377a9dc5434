"""Feeds, their entries and per-site line counts, for `SqliteStore` (half of `FeedStore`).

A mixin: `SqliteStore` inherits these methods and supplies the connection (`_conn`) and the
write lock; dedup keys and stories are in `sqlite_stories.py`, which shares the helpers
here. Times the store compares are Unix seconds (REAL); times it only shows are ISO 8601
text.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiosqlite

from bot.errors import StoreError
from bot.models import Feed, utcnow
from bot.store.sqlite_tx import SqlitePart, store_errors

_FEED_COLUMNS = """
    f.id, f.url, f.title, f.interval_s, f.status, f.etag, f.last_modified, f.failures,
    f.last_error, f.last_success, f.next_poll,
    (SELECT count(DISTINCT e.article_id) FROM feed_entries AS e
        WHERE e.feed_id = f.id AND e.article_id IS NOT NULL) AS articles,
    (SELECT max(e.seen) FROM feed_entries AS e WHERE e.feed_id = f.id) AS last_new
"""
_SAVE_FEED = """
    UPDATE feeds SET title = :title, interval_s = :interval, status = :status, etag = :etag,
        last_modified = :last_modified, failures = :failures, last_error = :last_error,
        last_success = :last_success, next_poll = :next_poll
    WHERE id = :id
"""
_RECORD_ENTRY = """
    INSERT OR REPLACE INTO feed_entries (feed_id, entry_key, fingerprint, article_id, seen)
    VALUES (?, ?, ?, ?, ?)
"""
_KEYS_PER_QUERY = 500  # bound parameters per statement stay far below SQLite's limit
_LEARN = """
    INSERT INTO site_lines (site, line_key, articles, last_seen) VALUES (?, ?, 1, ?)
    ON CONFLICT (site, line_key) DO UPDATE SET articles = articles + 1, last_seen = excluded.last_seen
"""  # noqa: E501


def iso(moment: datetime | None) -> str | None:
    """A datetime as UTC ISO text (naive is taken as UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _feed(row: sqlite3.Row) -> Feed:
    """A `Feed` from a row selected with `_FEED_COLUMNS`."""
    next_poll = float(row["next_poll"])
    return Feed(
        id=int(row["id"]),
        url=str(row["url"]),
        title=str(row["title"]),
        interval=int(row["interval_s"]),
        status=str(row["status"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=int(row["failures"]),
        last_error=row["last_error"],
        last_success=datetime.fromisoformat(row["last_success"]) if row["last_success"] else None,
        next_poll=datetime.fromtimestamp(next_poll, UTC) if next_poll else None,
        articles=int(row["articles"]),
        last_new=datetime.fromisoformat(row["last_new"]) if row["last_new"] else None,
    )


class FeedsMixinBase(SqlitePart):
    """What the web-ingestion mixins share besides `SqlitePart`: their transactions."""

    @asynccontextmanager
    async def _feed_tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the write lock, rolled back on any error."""
        async with self._write_lock:
            db = self._conn()
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                await db.commit()
            except BaseException:
                await db.rollback()
                raise


class SqliteFeeds(FeedsMixinBase):
    """Feeds, feed entries and site lines: part of the `FeedStore` half of `SqliteStore`."""

    @store_errors
    async def add_feed(self, feed: Feed) -> tuple[Feed, bool]:
        """Add a feed unless its URL is known; the stored feed, and whether it is new."""
        async with self._feed_tx() as db:
            cursor = await db.execute(
                "INSERT INTO feeds (url, title, interval_s, added) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO NOTHING",
                (feed.url, feed.title, feed.interval, iso(utcnow())),
            )
            created = cursor.rowcount == 1
        stored = await self.find_feed(feed.url)
        if stored is None:
            raise StoreError(f"feed {feed.url} vanished while being added")
        return stored, created

    @store_errors
    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id, or None."""
        found = await self._rows(f"SELECT {_FEED_COLUMNS} FROM feeds AS f WHERE id = ?", [feed_id])
        return _feed(found[0]) if found else None

    @store_errors
    async def find_feed(self, url: str) -> Feed | None:
        """The feed with this URL, or None."""
        found = await self._rows(f"SELECT {_FEED_COLUMNS} FROM feeds AS f WHERE url = ?", [url])
        return _feed(found[0]) if found else None

    @store_errors
    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first, each with how many articles it brought."""
        found = await self._rows(f"SELECT {_FEED_COLUMNS} FROM feeds AS f ORDER BY f.id")
        return [_feed(row) for row in found]

    @store_errors
    async def save_feed(self, feed: Feed) -> None:
        """Store a known feed's title, interval, status, validators, health and next poll."""
        values = {
            "id": feed.id,
            "title": feed.title,
            "interval": feed.interval,
            "status": feed.status,
            "etag": feed.etag,
            "last_modified": feed.last_modified,
            "failures": feed.failures,
            "last_error": feed.last_error,
            "last_success": iso(feed.last_success),
            "next_poll": feed.next_poll.timestamp() if feed.next_poll else 0.0,
        }
        async with self._feed_tx() as db:
            await db.execute(_SAVE_FEED, values)

    @store_errors
    async def claim_due_feeds(
        self, now: datetime, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Lease the active feeds due at `now` (their next poll moves past the lease)."""
        sql = """
            UPDATE feeds SET next_poll = :until WHERE id IN (
                SELECT id FROM feeds WHERE status = 'active' AND next_poll <= :now
                ORDER BY next_poll, id LIMIT :limit)
            RETURNING id
        """
        moment = now.timestamp()
        values = {"now": moment, "until": moment + lease_seconds, "limit": max(limit, 0)}
        async with self._feed_tx() as db, db.execute(sql, values) as cursor:
            return sorted(int(row[0]) for row in await cursor.fetchall())

    @store_errors
    async def remove_feed(self, feed_id: int) -> bool:
        """Forget a feed (its articles stay); False when there was none."""
        async with self._feed_tx() as db:
            cursor = await db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            return cursor.rowcount > 0

    @store_errors
    async def feed_entries(self, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        """The fingerprints recorded for those of a feed's entry keys that were seen, by key."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            chunk = wanted[start : start + _KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            sql = (
                "SELECT entry_key, fingerprint FROM feed_entries "
                f"WHERE feed_id = ? AND entry_key IN ({marks})"
            )
            found.update((str(k), str(f)) for k, f in await self._rows(sql, [feed_id, *chunk]))
        return found

    @store_errors
    async def record_feed_entries(
        self, feed_id: int, entries: Sequence[tuple[str, str, int | None]]
    ) -> None:
        """Remember feed entries as (key, fingerprint, article id or None), in one transaction."""
        seen = iso(utcnow())
        values = [
            (feed_id, key, fingerprint, article, seen) for key, fingerprint, article in entries
        ]
        if values:
            async with self._feed_tx() as db:
                await db.executemany(_RECORD_ENTRY, values)

    @store_errors
    async def learn_site_lines(self, site: str, pages: Sequence[frozenset[str]]) -> None:
        """Count one more article of `site` for every line key in each page's key set."""
        now = time.time()
        values = [(site, key, now) for keys in pages for key in keys]
        if values:
            async with self._feed_tx() as db:
                await db.executemany(_LEARN, values)

    @store_errors
    async def site_boilerplate(self, site: str, min_articles: int) -> frozenset[str]:
        """The line keys of `site` seen in at least `min_articles` articles."""
        sql = "SELECT line_key FROM site_lines WHERE site = ? AND articles >= ?"
        return frozenset(str(row[0]) for row in await self._rows(sql, [site, min_articles]))

    @store_errors
    async def prune_site_lines(self, older_than: datetime, below: int) -> int:
        """Forget line keys seen in fewer than `below` articles and not since `older_than`."""
        async with self._feed_tx() as db:
            cursor = await db.execute(
                "DELETE FROM site_lines WHERE articles < ? AND last_seen < ?",
                (below, older_than.timestamp()),
            )
            return cursor.rowcount
