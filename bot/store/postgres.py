"""The scale-out article store: PostgreSQL via a psycopg 3 async pool.

Owns articles, deduplication on write and ranked topic search; subscriptions and digest
claims come from `PgSubscriptions`, the pool and schema gate from `PgPoolOwner`.

Search mirrors `SqliteStore`: both index the analyzed text of `bot.store.fts.index_text`
(Snowball stems chosen per word by script: English for Latin, Russian for Cyrillic, none
for other scripts, CJK one character per token). Here it is a `tsvector` built with the
`simple` configuration (no further stemming or stop words), title weighted A and body B,
in a GIN index. Queries are built from `fts.query_terms` (the same Russian declension
variants, so "Китай" finds "Китая"); every lexeme is quoted, so user input is never tsquery
syntax. Ranking: ts_rank (title 4x body, length-normalized) divided by
(1 + age_days / RECENCY_DAYS), the same decay as SQLite; ties go to the newer article.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import psycopg

from bot.models import Article, Count, StoredResult
from bot.store import fts, rows
from bot.store.pg_feeds import PgFeeds
from bot.store.pg_pool import Conn, pg_errors
from bot.store.pg_subs import PgSubscriptions
from bot.store.postgres_rows import COLUMNS, article_from_row, utc

RECENCY_DAYS = 30.0
_DAY_SECONDS = 86_400.0
# ts_rank weights for {D, C, B, A}: body (B) counts a quarter of title (A), like SQLite's 4:1.
_WEIGHTS = "{0, 0, 0.25, 1}"

_SEARCH = f"""
    WITH hits AS (
        SELECT f.article_id, f.when_ts,
               ts_rank('{_WEIGHTS}', f.tsv, q.query, 1)
                   / (1.0 + greatest(0.0, %(now)s - f.when_ts) / %(scale)s) AS score
        FROM article_fts AS f, to_tsquery('simple', %(query)s) AS q (query)
        WHERE f.tsv @@ q.query {{since}}
        ORDER BY score DESC, f.when_ts DESC LIMIT %(limit)s
    )
    SELECT {COLUMNS} FROM hits JOIN articles AS a ON a.id = hits.article_id
    ORDER BY hits.score DESC, hits.when_ts DESC, a.id DESC
"""
_SINCE = """
    AND (f.when_ts >= %(since)s OR EXISTS (SELECT 1 FROM articles AS n
        WHERE n.id = f.article_id AND n.fetched >= to_timestamp(%(since)s)))
"""

_INSERT = """
    INSERT INTO articles
        (when_ts, content_hash, url, source, language, published, fetched, title, text,
         sentence_spans)
    VALUES (%(when_ts)s, %(content_hash)s, %(url)s, %(source)s, %(language)s, %(published)s,
            %(fetched)s, %(title)s, %(text)s, %(sentence_spans)s)
    RETURNING id
"""

_UPDATE = """
    UPDATE articles SET when_ts = %(when_ts)s, content_hash = %(content_hash)s,
        source = %(source)s, language = %(language)s, published = %(published)s,
        fetched = %(fetched)s, title = %(title)s, text = %(text)s,
        sentence_spans = %(sentence_spans)s
    WHERE id = %(id)s
"""

_INDEX = """
    INSERT INTO article_fts (article_id, when_ts, tsv)
    VALUES (%s, %s, setweight(to_tsvector('simple', %s), 'A')
                    || setweight(to_tsvector('simple', %s), 'B'))
    ON CONFLICT (article_id) DO UPDATE SET when_ts = EXCLUDED.when_ts, tsv = EXCLUDED.tsv
"""


_BY_URL = "SELECT id FROM articles WHERE url = %s"
_BY_HASH = "SELECT id FROM articles WHERE content_hash = %s"


def _lexeme(token: str) -> str:
    """One token as a quoted tsquery lexeme."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _alternatives(phrases: list[str]) -> str:
    """A term's alternative phrases, OR-ed; words of one phrase must be adjacent (CJK)."""
    parts = [" <-> ".join(_lexeme(t) for t in phrase.split()) for phrase in phrases]
    return "(" + " | ".join(f"({part})" for part in parts) + ")"


def tsquery_all(terms: list[list[str]]) -> str:
    """tsquery text for articles with every term (in any of its forms)."""
    return " & ".join(_alternatives(term) for term in terms)


def tsquery_any(terms: list[list[str]]) -> str:
    """tsquery text for articles with at least one of the terms."""
    return _alternatives(list(dict.fromkeys(phrase for term in terms for phrase in term)))


class PostgresStore(PgSubscriptions, PgFeeds):
    """`Store` backed by PostgreSQL; safe for many coroutines and many processes."""

    def __init__(
        self, url: str, *, auto_migrate: bool = False, recency_days: float = RECENCY_DAYS
    ) -> None:
        """Remember where the database is; nothing is opened yet."""
        super().__init__(url, auto_migrate=auto_migrate)
        self.recency_days = recency_days
        self._article_writes = 0  # articles added or updated by this instance

    @pg_errors
    async def add_article(self, article: Article) -> StoredResult:
        """Store an article unless its URL or content hash is already stored."""
        async with self.connection() as conn:
            known = await self._id_where(conn, "content_hash", article.content_hash)
            if known is not None:
                return StoredResult(known, "duplicate")
            analyzed = await asyncio.to_thread(
                lambda: (fts.index_text(article.title), fts.index_text(article.text))
            )
            try:
                result = await self._write(conn, article, analyzed)
            except psycopg.errors.UniqueViolation:
                # Another instance stored the same URL or body meanwhile: now it is known.
                result = await self._write(conn, article, analyzed)
        if result.status != "duplicate":
            self._article_writes += 1
        return result

    @pg_errors
    async def articles_version(self) -> str:
        """Changes with every article this instance writes and every article any adds.

        Another instance's in-place update of a known URL does not move it (callers that
        cache bound their staleness with a time limit).
        """
        async with self.connection() as conn:
            row = await (await conn.execute("SELECT coalesce(max(id), 0) FROM articles")).fetchone()
        return f"{self._article_writes}:{row[0] if row else 0}"

    @staticmethod
    async def _id_where(conn: Conn, column: str, value: str) -> int | None:
        """The id of the article whose `column` (url or content_hash) equals `value`."""
        sql = _BY_URL if column == "url" else _BY_HASH
        row = await (await conn.execute(sql, (value,))).fetchone()
        return None if row is None else int(row[0])

    async def _write(self, conn: Conn, article: Article, analyzed: tuple[str, str]) -> StoredResult:
        """Insert or update the article, its tags and its search row, in one transaction."""
        async with conn.transaction():
            known = await self._id_where(conn, "content_hash", article.content_hash)
            if known is not None:
                return StoredResult(known, "duplicate")
            values = rows.row_values(article)
            values["published"] = utc(article.published) if article.published else None
            values["fetched"] = utc(article.fetched)
            same_url = await self._id_where(conn, "url", article.url) if article.url else None
            if same_url is None:
                row = await (await conn.execute(_INSERT, values)).fetchone()
                assert row is not None
                article_id, status = int(row[0]), "added"
            else:
                await conn.execute(_UPDATE, {**values, "id": same_url})
                article_id, status = same_url, "updated"
            await conn.execute("DELETE FROM article_tags WHERE article_id = %s", (article_id,))
            tags = rows.clean_tags(article.tags)
            if tags:
                async with conn.cursor() as cursor:
                    await cursor.executemany(
                        "INSERT INTO article_tags (article_id, position, tag) VALUES (%s, %s, %s)",
                        [(article_id, position, tag) for position, tag in enumerate(tags)],
                    )
            await conn.execute(_INDEX, (article_id, values["when_ts"], *analyzed))
        return StoredResult(article_id, status)

    async def _articles(self, sql: str, parameters: Any) -> list[Article]:
        """Run a query that selects `COLUMNS` and build the articles."""
        async with self.connection() as conn:
            found = await (await conn.execute(sql, parameters)).fetchall()
        return [article_from_row(row) for row in found]

    @pg_errors
    async def get_article(self, article_id: int) -> Article | None:
        """One article by id, or None."""
        sql = f"SELECT {COLUMNS} FROM articles AS a WHERE a.id = %s"
        found = await self._articles(sql, (article_id,))
        return found[0] if found else None

    @pg_errors
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
        found = await self._ranked(tsquery_all(terms), candidates, since)
        return fts.on_topic(found, terms, limit)

    @pg_errors
    async def closest(self, query: str, limit: int = 2) -> list[Article]:
        """The best matches of any query word: what to offer, labelled, when none is about it."""
        terms = fts.query_terms(query)
        if not terms or limit <= 0:
            return []
        return await self._ranked(tsquery_any(terms), limit, None)

    async def _ranked(self, query: str, limit: int, since: datetime | None) -> list[Article]:
        """The best `limit` articles for a tsquery (`tsquery_all`/`_any`), dated or fetched
        `since` (the filter costs a lookup per match, so it is only there when asked for)."""
        parameters = {
            "query": query,
            "now": time.time(),
            "scale": self.recency_days * _DAY_SECONDS,
            "limit": limit,
            "since": since.timestamp() if since else 0.0,
        }
        sql = _SEARCH.replace("{since}", _SINCE if since else "")
        return await self._articles(sql, parameters)

    @pg_errors
    async def latest(self, limit: int = 10) -> list[Article]:
        """The newest articles (by published, else fetched time), newest first."""
        sql = f"SELECT {COLUMNS} FROM articles AS a ORDER BY a.when_ts DESC, a.id DESC LIMIT %s"
        return await self._articles(sql, (max(limit, 0),))

    @pg_errors
    async def count_articles(self) -> int:
        """How many articles are stored."""
        async with self.connection() as conn:
            row = await (await conn.execute("SELECT count(*) FROM articles")).fetchone()
        return int(row[0]) if row else 0

    async def _counts(self, sql: str, limit: int) -> list[Count]:
        """Run a `label, count` query."""
        async with self.connection() as conn:
            found = await (await conn.execute(sql, (max(limit, 0),))).fetchall()
        return [Count(label=str(row[0]), count=int(row[1])) for row in found]

    @pg_errors
    async def source_counts(self, limit: int = 10) -> list[Count]:
        """Sources with their article counts, largest first (articles without one skipped)."""
        sql = """
            SELECT source, count(*) AS n FROM articles WHERE source != ''
            GROUP BY source ORDER BY n DESC, source LIMIT %s
        """
        return await self._counts(sql, limit)

    @pg_errors
    async def tag_counts(self, limit: int = 10) -> list[Count]:
        """Most frequent tags with their article counts, largest first."""
        sql = """
            SELECT tag, count(*) AS n FROM article_tags GROUP BY tag
            ORDER BY n DESC, tag LIMIT %s
        """
        return await self._counts(sql, limit)
