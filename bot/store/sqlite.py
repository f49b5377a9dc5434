"""The embedded article store: one SQLite file (WAL mode) with an FTS5 index, via aiosqlite.

Owns the connection, deduplication on write and ranked topic search. The schema lives in
`bot.store.schema`, text analysis in `bot.store.fts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import SchemaError, StoreError
from bot.models import Article, Count, StoredResult
from bot.store import fts, rows
from bot.store.schema import SCHEMA_VERSION, migrate, open_schema, schema_version
from bot.store.sqlite_feeds import SqliteFeeds
from bot.store.sqlite_stories import SqliteStories
from bot.store.sqlite_subscriptions import SqliteSubscriptions
from bot.store.sqlite_tx import store_errors

# Ranking. FTS5's bm25() is negative, more negative = more relevant; title hits weigh
# TITLE_WEIGHT times body hits. The recency-adjusted score (lower is better) is
#     score = bm25(title, body) / (1 + age_days / RECENCY_DAYS)
# with age_days = max(0, now - (published or fetched)) in days. An article RECENCY_DAYS
# older needs about twice the relevance to rank level with a fresh one; among equally
# relevant articles the newer one wins. Dividing rather than subtracting keeps every score
# negative and makes the decay independent of bm25's scale. `search` ranks articles with
# every query word first, then fills up with articles that have some of them.
TITLE_WEIGHT = 4.0
BODY_WEIGHT = 1.0
RECENCY_DAYS = 30.0
BUSY_TIMEOUT_SECONDS = 5.0
CACHE_KIB = 32_768  # page cache per connection: keeps the hot part of the FTS index in memory
_DAY_SECONDS = 86_400.0

_SEARCH = f"""
    WITH hits AS (
        SELECT article_fts.rowid AS id,
               bm25(article_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})
                   / (1.0 + max(0.0, :now - a.when_ts) / :scale) AS score
        FROM article_fts JOIN articles AS a ON a.id = article_fts.rowid
        WHERE article_fts MATCH :match AND (a.when_ts >= :since OR a.fetched >= :since_text)
        ORDER BY score LIMIT :limit
    )
    SELECT {rows.COLUMNS} FROM hits JOIN articles AS a ON a.id = hits.id
    ORDER BY hits.score, a.when_ts DESC
"""


def _make_parent(path: str) -> None:
    """Create the folders that will hold the database file."""
    if path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _analyze(article: Article) -> tuple[str, str]:
    """The analyzed title and body that go into the FTS index."""
    return fts.index_text(article.title), fts.index_text(article.text)


class SqliteStore(SqliteSubscriptions, SqliteFeeds, SqliteStories):
    """`Store` backed by one SQLite file; safe for concurrent use from one event loop."""

    def __init__(
        self, path: str, *, recency_days: float = RECENCY_DAYS, auto_migrate: bool = False
    ) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self.path = path
        self.auto_migrate = auto_migrate  # open() may upgrade an older schema
        self.recency_days = recency_days
        self._db: aiosqlite.Connection | None = None
        # One connection serves every coroutine, so writes must not interleave their
        # BEGIN ... COMMIT blocks.
        self._write_lock = asyncio.Lock()
        self._new_topics = {}
        self._article_writes = 0  # articles added or updated through this connection

    def _conn(self) -> aiosqlite.Connection:
        """The open connection, or StoreError if `open()` was not called."""
        if self._db is None:
            raise StoreError(f"article store {self.path} is not open")
        return self._db

    async def open(self) -> None:
        """Connect (creating the file and its folders), set pragmas, create or migrate."""
        if self._db is not None:
            return
        await asyncio.to_thread(_make_parent, self.path)
        db = await aiosqlite.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            await self._prepare(db)
        except BaseException:
            await db.close()
            raise
        self._db = db

    async def _prepare(self, db: aiosqlite.Connection) -> None:
        """Pragmas and schema for a fresh connection."""
        db.row_factory = sqlite3.Row
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            await db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            await open_schema(db, self.path, auto_migrate=self.auto_migrate)
        except sqlite3.Error as exc:
            raise SchemaError(f"cannot open article database {self.path}: {exc}") from exc

    async def migrate(self) -> tuple[int, int]:
        """Bring the schema up to date (`newsbot db migrate`); (version before, after)."""
        await asyncio.to_thread(_make_parent, self.path)
        try:
            async with aiosqlite.connect(self.path, isolation_level=None) as db:
                before = await schema_version(db)
                await migrate(db, self.path)
        except sqlite3.Error as exc:
            raise SchemaError(f"cannot migrate article database {self.path}: {exc}") from exc
        return before, SCHEMA_VERSION

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        db, self._db = self._db, None
        if db is not None:
            try:  # refresh planner statistics, cheap; another process may hold the lock
                with contextlib.suppress(sqlite3.OperationalError):
                    await db.execute("PRAGMA optimize")
            finally:
                await db.close()

    async def _id_where(self, column: str, value: str) -> int | None:
        """The id of the article whose `column` (url or content_hash) equals `value`."""
        found = await self._rows(f"SELECT id FROM articles WHERE {column} = ?", (value,))
        return int(found[0][0]) if found else None

    @store_errors
    async def add_article(self, article: Article) -> StoredResult:
        """Store an article unless its URL or content hash is already stored."""
        known = await self._id_where("content_hash", article.content_hash)
        if known is not None:  # cheap early exit: re-ingesting a feed is mostly duplicates
            return StoredResult(known, "duplicate")
        analyzed = await asyncio.to_thread(_analyze, article)
        async with self._write_lock:
            db = self._conn()
            await db.execute("BEGIN IMMEDIATE")
            try:
                result = await self._write(article, analyzed)
                await db.commit()
            except BaseException:
                await db.rollback()
                raise
        if result.status != "duplicate":
            self._article_writes += 1
        return result

    @store_errors
    async def articles_version(self) -> str:
        """Changes with every article write: ours (a counter) and other connections' commits.

        SQLite's data_version moves when another connection commits, never for our own.
        """
        found = await self._rows("PRAGMA data_version")
        return f"{self._article_writes}:{found[0][0] if found else 0}"

    async def _write(self, article: Article, analyzed: tuple[str, str]) -> StoredResult:
        """Insert or update the article, its tags and its FTS row (inside a transaction)."""
        known = await self._id_where("content_hash", article.content_hash)
        if known is not None:
            return StoredResult(known, "duplicate")
        values = rows.row_values(article)
        same_url = await self._id_where("url", article.url) if article.url else None
        if same_url is None:
            cursor = await self._conn().execute(rows.INSERT, values)
            article_id, status = int(cursor.lastrowid or 0), "added"
        else:
            await self._conn().execute(rows.UPDATE, {**values, "id": same_url})
            article_id, status = same_url, "updated"
        await self._write_tags(article_id, rows.clean_tags(article.tags))
        await self._write_index(article_id, analyzed)
        return StoredResult(article_id, status)

    async def _write_tags(self, article_id: int, tags: list[str]) -> None:
        """Replace the article's tags."""
        db = self._conn()
        await db.execute("DELETE FROM article_tags WHERE article_id = ?", (article_id,))
        await db.executemany(
            "INSERT INTO article_tags (article_id, position, tag) VALUES (?, ?, ?)",
            [(article_id, position, tag) for position, tag in enumerate(tags)],
        )

    async def _write_index(self, article_id: int, analyzed: tuple[str, str]) -> None:
        """Replace the article's row in the full-text index."""
        db = self._conn()
        await db.execute("DELETE FROM article_fts WHERE rowid = ?", (article_id,))
        await db.execute(
            "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
            (article_id, *analyzed),
        )

    async def _articles(
        self, sql: str, parameters: dict[str, Any] | tuple[Any, ...]
    ) -> list[Article]:
        """Run a query that selects `rows.COLUMNS` and build the articles."""
        return [rows.article_from_row(row) for row in await self._rows(sql, parameters)]

    @store_errors
    async def get_article(self, article_id: int) -> Article | None:
        """One article by id, or None."""
        found = await self._articles(
            f"SELECT {rows.COLUMNS} FROM articles AS a WHERE a.id = ?", (article_id,)
        )
        return found[0] if found else None

    @store_errors
    async def search(
        self, query: str, limit: int = 5, *, since: datetime | None = None
    ) -> list[Article]:
        """Articles about a free-text topic, best first (relevance with recency).

        Only articles with every query word are candidates, and of those only the ones
        about the topic are kept (`fts.on_topic`): an answer is never padded with articles
        that merely contain some of the words. Fewer, or none, is the honest answer.
        """
        terms = fts.query_terms(query)
        if not terms or limit <= 0:
            return []
        candidates = limit * fts.CANDIDATES_PER_ANSWER
        found = await self._ranked(fts.match_all(terms), candidates, since)
        return fts.on_topic(found, terms, limit)

    @store_errors
    async def closest(self, query: str, limit: int = 2) -> list[Article]:
        """The best matches of any query word: what to offer, labelled, when none is about it."""
        terms = fts.query_terms(query)
        if not terms or limit <= 0:
            return []
        return await self._ranked(fts.match_any(terms), limit, None)

    async def _ranked(self, match: str, limit: int, since: datetime | None) -> list[Article]:
        """The best `limit` articles for an FTS5 MATCH expression, dated or fetched `since`."""
        parameters = {
            "match": match,
            "now": time.time(),
            "scale": self.recency_days * _DAY_SECONDS,
            "limit": limit,
            "since": since.timestamp() if since else -math.inf,
            "since_text": rows.to_text(since) if since else "",
        }
        return await self._articles(_SEARCH, parameters)

    @store_errors
    async def latest(self, limit: int = 10) -> list[Article]:
        """The newest articles (by published, else fetched time), newest first."""
        sql = f"SELECT {rows.COLUMNS} FROM articles AS a ORDER BY a.when_ts DESC, a.id DESC LIMIT ?"
        return await self._articles(sql, (max(limit, 0),))

    @store_errors
    async def count_articles(self) -> int:
        """How many articles are stored."""
        found = await self._rows("SELECT count(*) FROM articles")
        return int(found[0][0]) if found else 0

    async def _counts(self, sql: str, limit: int) -> list[Count]:
        """Run a `label, count` query."""
        found = await self._rows(sql, (max(limit, 0),))
        return [Count(label=str(row[0]), count=int(row[1])) for row in found]

    @store_errors
    async def source_counts(self, limit: int = 10) -> list[Count]:
        """Sources with their article counts, largest first (articles without one skipped)."""
        sql = """
            SELECT source, count(*) AS n FROM articles WHERE source != ''
            GROUP BY source ORDER BY n DESC, source LIMIT ?
        """
        return await self._counts(sql, limit)

    @store_errors
    async def tag_counts(self, limit: int = 10) -> list[Count]:
        """Most frequent tags with their article counts, largest first."""
        sql = (
            "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag ORDER BY n DESC, tag LIMIT ?"
        )
        return await self._counts(sql, limit)
