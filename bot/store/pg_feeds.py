"""The `FeedStore` half of `PostgresStore`: feeds, dedup keys, per-site line counts, stories.

Mirrors `bot.store.sqlite_feeds` statement for statement; times the store compares are Unix
seconds (DOUBLE PRECISION), times it only shows are TIMESTAMPTZ. `claim_due_feeds` lets
several bot instances share the polling: a feed is leased by pushing its `next_poll` past
the lease in the same statement that picks it (`FOR UPDATE SKIP LOCKED`), so no other
instance sees it due until the lease runs out or the poller saves the real next poll time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.errors import StoreError
from bot.models import Article, Feed, Fingerprint, StorySource, utcnow
from bot.store.pg_pool import Conn, PgPoolOwner, pg_errors
from bot.store.postgres_rows import COLUMNS, article_from_row

_FEED_COLUMNS = """
    f.id, f.url, f.title, f.interval_s, f.status, f.etag, f.last_modified, f.failures,
    f.last_error, f.last_success, f.next_poll,
    (SELECT count(DISTINCT e.article_id) FROM feed_entries AS e
        WHERE e.feed_id = f.id AND e.article_id IS NOT NULL) AS articles,
    (SELECT max(e.seen) FROM feed_entries AS e WHERE e.feed_id = f.id) AS last_new
"""
_SAVE_FEED = """
    UPDATE feeds SET title = %(title)s, interval_s = %(interval)s, status = %(status)s,
        etag = %(etag)s, last_modified = %(last_modified)s, failures = %(failures)s,
        last_error = %(last_error)s, last_success = %(last_success)s,
        next_poll = %(next_poll)s
    WHERE id = %(id)s
"""
_RECORD_ENTRY = """
    INSERT INTO feed_entries (feed_id, entry_key, fingerprint, article_id, seen)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (feed_id, entry_key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
        article_id = EXCLUDED.article_id, seen = EXCLUDED.seen
"""
_LEARN = """
    INSERT INTO site_lines (site, line_key, articles, last_seen) VALUES (%s, %s, 1, %s)
    ON CONFLICT (site, line_key)
        DO UPDATE SET articles = site_lines.articles + 1, last_seen = EXCLUDED.last_seen
"""
_CLAIM_FEEDS = """
    WITH due AS (
        SELECT id FROM feeds WHERE status = 'active' AND next_poll <= %(now)s
        ORDER BY next_poll, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
    )
    UPDATE feeds AS f SET next_poll = %(until)s FROM due WHERE f.id = due.id RETURNING f.id
"""
_SIGNATURES = """
    SELECT s.article_id, s.shingles, s.signature, a.story_id FROM article_signatures AS s
    JOIN articles AS a ON a.id = s.article_id
"""


def _feed(row: Sequence[Any]) -> Feed:
    """A `Feed` from a row selected with `_FEED_COLUMNS`."""
    next_poll = float(row[10])
    return Feed(
        id=int(row[0]),
        url=str(row[1]),
        title=str(row[2]),
        interval=int(row[3]),
        status=str(row[4]),
        etag=row[5],
        last_modified=row[6],
        failures=int(row[7]),
        last_error=row[8],
        last_success=row[9].astimezone(UTC) if row[9] else None,
        next_poll=datetime.fromtimestamp(next_poll, UTC) if next_poll else None,
        articles=int(row[11]),
        last_new=row[12].astimezone(UTC) if row[12] else None,
    )


def _fingerprint(row: Sequence[Any]) -> Fingerprint:
    """A `Fingerprint` (without band keys) from (article_id, shingles, signature, story)."""
    story = None if row[3] is None else int(row[3])
    return Fingerprint(bytes(row[2]), int(row[1]), (), int(row[0]), story)


class PgFeeds(PgPoolOwner):
    """`FeedStore` on PostgreSQL."""

    async def _all(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """All rows of one statement."""
        async with self.connection() as conn:
            return await (await conn.execute(sql, parameters)).fetchall()

    @pg_errors
    async def add_feed(self, feed: Feed) -> tuple[Feed, bool]:
        """Add a feed unless its URL is known; the stored feed, and whether it is new."""
        sql = """
            INSERT INTO feeds (url, title, interval_s, added) VALUES (%s, %s, %s, %s)
            ON CONFLICT (url) DO NOTHING RETURNING id
        """
        created = bool(await self._all(sql, (feed.url, feed.title, feed.interval, utcnow())))
        stored = await self.find_feed(feed.url)
        if stored is None:
            raise StoreError(f"feed {feed.url} vanished while being added")
        return stored, created

    @pg_errors
    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id, or None."""
        found = await self._all(f"SELECT {_FEED_COLUMNS} FROM feeds AS f WHERE id = %s", [feed_id])
        return _feed(found[0]) if found else None

    @pg_errors
    async def find_feed(self, url: str) -> Feed | None:
        """The feed with this URL, or None."""
        found = await self._all(f"SELECT {_FEED_COLUMNS} FROM feeds AS f WHERE url = %s", [url])
        return _feed(found[0]) if found else None

    @pg_errors
    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first, each with how many articles it brought."""
        found = await self._all(f"SELECT {_FEED_COLUMNS} FROM feeds AS f ORDER BY f.id")
        return [_feed(row) for row in found]

    @pg_errors
    async def save_feed(self, feed: Feed) -> None:
        """Store a known feed's title, interval, status, validators, health and next poll."""
        names = ("id", "title", "interval", "status", "etag", "last_modified", "failures")
        values = {name: getattr(feed, name) for name in (*names, "last_error", "last_success")}
        values["next_poll"] = feed.next_poll.timestamp() if feed.next_poll else 0.0
        async with self.connection() as conn:
            await conn.execute(_SAVE_FEED, values)

    @pg_errors
    async def claim_due_feeds(
        self, now: datetime, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Lease the active feeds due at `now` (their next poll moves past the lease)."""
        moment = now.timestamp()
        values = {"now": moment, "until": moment + lease_seconds, "limit": max(limit, 0)}
        return sorted(int(row[0]) for row in await self._all(_CLAIM_FEEDS, values))

    @pg_errors
    async def remove_feed(self, feed_id: int) -> bool:
        """Forget a feed (its articles stay); False when there was none."""
        return bool(await self._all("DELETE FROM feeds WHERE id = %s RETURNING id", [feed_id]))

    @pg_errors
    async def feed_entries(self, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        """The fingerprints recorded for those of a feed's entry keys that were seen, by key."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        sql = """
            SELECT entry_key, fingerprint FROM feed_entries
            WHERE feed_id = %s AND entry_key = ANY(%s)
        """
        return {str(k): str(f) for k, f in await self._all(sql, [feed_id, wanted])}

    @pg_errors
    async def record_feed_entries(
        self, feed_id: int, entries: Sequence[tuple[str, str, int | None]]
    ) -> None:
        """Remember feed entries as (key, fingerprint, article id or None), in one transaction."""
        seen = utcnow()
        values = [
            (feed_id, key, fingerprint, article, seen) for key, fingerprint, article in entries
        ]
        if values:
            async with self.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                await cursor.executemany(_RECORD_ENTRY, values)

    @pg_errors
    async def find_by_urls(self, urls: Sequence[str]) -> tuple[Article, str] | None:
        """The article known by one of these normalized URLs, with the URL that matched."""
        wanted = list(dict.fromkeys(urls))[:500]
        if not wanted:
            return None
        sql = f"""
            SELECT {COLUMNS}, k.url FROM (
                SELECT article_id, url FROM article_urls WHERE url = ANY(%(urls)s)
                UNION ALL SELECT id, url FROM articles WHERE url = ANY(%(urls)s)
            ) AS k JOIN articles AS a ON a.id = k.article_id
        """
        found = await self._all(sql, {"urls": wanted})
        if not found:
            return None
        best = min(found, key=lambda row: wanted.index(row[-1]))
        return article_from_row(best), str(best[-1])

    @pg_errors
    async def learn_site_lines(self, site: str, pages: Sequence[frozenset[str]]) -> None:
        """Count one more article of `site` for every line key in each page's key set."""
        now = time.time()
        values = [(site, key, now) for keys in pages for key in keys]
        if values:
            async with self.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                await cursor.executemany(_LEARN, values)

    @pg_errors
    async def site_boilerplate(self, site: str, min_articles: int) -> frozenset[str]:
        """The line keys of `site` seen in at least `min_articles` articles."""
        sql = "SELECT line_key FROM site_lines WHERE site = %s AND articles >= %s"
        return frozenset(str(row[0]) for row in await self._all(sql, [site, min_articles]))

    @pg_errors
    async def prune_site_lines(self, older_than: datetime, below: int) -> int:
        """Forget line keys seen in fewer than `below` articles and not since `older_than`."""
        sql = "DELETE FROM site_lines WHERE articles < %s AND last_seen < %s RETURNING 1"
        return len(await self._all(sql, [below, older_than.timestamp()]))

    @pg_errors
    async def similar_fingerprints(
        self, bands: Sequence[int], limit: int = 50
    ) -> list[Fingerprint]:
        """Fingerprints of stored articles that share at least one LSH band key."""
        if not bands:
            return []
        sql = f"""{_SIGNATURES}
            WHERE s.article_id IN (SELECT article_id FROM signature_bands WHERE band = ANY(%s))
            ORDER BY s.article_id DESC LIMIT %s
        """
        return [_fingerprint(row) for row in await self._all(sql, [list(bands), limit])]

    @pg_errors
    async def fingerprint_of(self, article_id: int) -> Fingerprint | None:
        """The stored fingerprint of an article, or None."""
        found = await self._all(f"{_SIGNATURES} WHERE s.article_id = %s", [article_id])
        return _fingerprint(found[0]) if found else None

    @pg_errors
    async def link_article(
        self,
        article_id: int,
        urls: Sequence[str],
        fingerprint: Fingerprint | None,
        source: StorySource,
        join_story: int | None = None,
    ) -> int:
        """Record a stored article's URLs, fingerprint and story; returns its story id."""
        async with self.connection() as conn, conn.transaction():
            story = await _story_of(conn, article_id, join_story)
            await _add_urls(conn, article_id, urls)
            await conn.execute("DELETE FROM signature_bands WHERE article_id = %s", (article_id,))
            if fingerprint is not None:
                await conn.execute(
                    "INSERT INTO article_signatures (article_id, shingles, signature) "
                    "VALUES (%s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET "
                    "shingles = EXCLUDED.shingles, signature = EXCLUDED.signature",
                    (article_id, fingerprint.shingles, fingerprint.values),
                )
                await conn.execute(
                    "INSERT INTO signature_bands (band, article_id) "
                    "SELECT unnest(%s::BIGINT[]), %s ON CONFLICT DO NOTHING",
                    (list(dict.fromkeys(fingerprint.bands)), article_id),
                )
            await _add_source(conn, story, source)
        return story

    @pg_errors
    async def add_story_source(
        self, article_id: int, urls: Sequence[str], source: StorySource
    ) -> int:
        """A copy of a stored article seen elsewhere joins the article's story."""
        async with self.connection() as conn, conn.transaction():
            story = await _story_of(conn, article_id, None)
            await _add_urls(conn, article_id, urls)
            await _add_source(conn, story, source)
        return story

    @pg_errors
    async def story_sources(self, story_id: int) -> list[StorySource]:
        """Every known source of a story, first seen first."""
        sql = """
            SELECT url, source, title, article_id, seen FROM story_sources
            WHERE story_id = %s ORDER BY seen, url
        """
        return [
            StorySource(str(url), str(src), str(title), article, seen.astimezone(UTC))
            for url, src, title, article, seen in await self._all(sql, [story_id])
        ]


async def _story_of(conn: Conn, article_id: int, join: int | None) -> int:
    """The article's story: the one it has, else `join`, else a new one (in a transaction)."""
    sql = "SELECT story_id FROM articles WHERE id = %s FOR UPDATE"
    row = await (await conn.execute(sql, (article_id,))).fetchone()
    if row is None:
        raise StoreError(f"article {article_id} is not stored")
    if row[0] is not None:
        return int(row[0])
    story = join
    if story is None:
        add = "INSERT INTO stories (created) VALUES (%s) RETURNING id"
        created = await (await conn.execute(add, (utcnow(),))).fetchone()
        assert created is not None
        story = int(created[0])
    await conn.execute("UPDATE articles SET story_id = %s WHERE id = %s", (story, article_id))
    return story


async def _add_urls(conn: Conn, article_id: int, urls: Sequence[str]) -> None:
    """Map URLs to the article; a URL already mapped keeps its first article."""
    sql = "INSERT INTO article_urls (url, article_id) SELECT unnest(%s::TEXT[]), %s "
    await conn.execute(sql + "ON CONFLICT DO NOTHING", (list(dict.fromkeys(urls)), article_id))


async def _add_source(conn: Conn, story: int, source: StorySource) -> None:
    """Record (or refresh) one source of a story."""
    await conn.execute(
        "INSERT INTO story_sources (story_id, url, source, title, article_id, seen) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (story_id, url) DO UPDATE SET "
        "source = EXCLUDED.source, title = EXCLUDED.title, article_id = EXCLUDED.article_id",
        (story, source.url, source.source, source.title, source.article_id, source.seen),
    )
