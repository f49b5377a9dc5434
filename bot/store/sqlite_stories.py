"""Dedup keys (every URL of an article), MinHash fingerprints and stories, for `SqliteStore`.

The other part of the `FeedStore` half (feeds are in `sqlite_feeds.py`). A story groups the
articles that tell the same news; `story_sources` keeps every place that carried it,
including exact copies that were not stored twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.errors import StoreError
from bot.models import Article, Fingerprint, StorySource, utcnow
from bot.store import rows
from bot.store.sqlite_feeds import FeedsMixinBase, iso
from bot.store.sqlite_tx import store_errors

_CHUNK = 500  # values per `IN (...)`, well under SQLite's bound-parameter limit


def _fingerprint(row: sqlite3.Row) -> Fingerprint:
    """A `Fingerprint` (without band keys) from an `article_signatures` row."""
    return Fingerprint(
        values=bytes(row["signature"]),
        shingles=int(row["shingles"]),
        bands=(),
        article_id=int(row["article_id"]),
        story_id=row["story_id"],
    )


class SqliteStories(FeedsMixinBase):
    """Dedup keys, fingerprints and stories: part of the `FeedStore` half of `SqliteStore`."""

    @store_errors
    async def find_by_urls(self, urls: Sequence[str]) -> tuple[Article, str] | None:
        """The article known by one of these normalized URLs, with the URL that matched."""
        wanted = list(dict.fromkeys(urls))[:_CHUNK]
        if not wanted:
            return None
        marks = ", ".join("?" * len(wanted))
        sql = f"""
            SELECT {rows.COLUMNS}, k.url AS matched FROM (
                SELECT article_id, url FROM article_urls WHERE url IN ({marks})
                UNION ALL SELECT id, url FROM articles WHERE url IN ({marks})
            ) AS k JOIN articles AS a ON a.id = k.article_id
        """
        found = await self._rows(sql, [*wanted, *wanted])
        if not found:
            return None
        best = min(found, key=lambda row: wanted.index(row["matched"]))
        return rows.article_from_row(best), str(best["matched"])

    @store_errors
    async def similar_fingerprints(
        self, bands: Sequence[int], limit: int = 50
    ) -> list[Fingerprint]:
        """Fingerprints of stored articles that share at least one LSH band key."""
        if not bands:
            return []
        marks = ", ".join("?" * len(bands))
        sql = f"""
            SELECT s.article_id, s.shingles, s.signature, a.story_id FROM article_signatures AS s
            JOIN articles AS a ON a.id = s.article_id
            WHERE s.article_id IN (SELECT DISTINCT article_id FROM signature_bands
                                   WHERE band IN ({marks}))
            ORDER BY s.article_id DESC LIMIT ?
        """
        return [_fingerprint(row) for row in await self._rows(sql, [*bands, limit])]

    @store_errors
    async def fingerprint_of(self, article_id: int) -> Fingerprint | None:
        """The stored fingerprint of an article, or None."""
        sql = """
            SELECT s.article_id, s.shingles, s.signature, a.story_id FROM article_signatures AS s
            JOIN articles AS a ON a.id = s.article_id WHERE s.article_id = ?
        """
        found = await self._rows(sql, [article_id])
        return _fingerprint(found[0]) if found else None

    @store_errors
    async def link_article(
        self,
        article_id: int,
        urls: Sequence[str],
        fingerprint: Fingerprint | None,
        source: StorySource,
        join_story: int | None = None,
    ) -> int:
        """Record a stored article's URLs, fingerprint and story; returns its story id."""
        async with self._feed_tx() as db:
            story = await self._story_of(db, article_id, join_story)
            await self._add_urls(db, article_id, urls)
            await db.execute("DELETE FROM signature_bands WHERE article_id = ?", (article_id,))
            if fingerprint is not None:
                await db.execute(
                    "INSERT OR REPLACE INTO article_signatures (article_id, shingles, signature) "
                    "VALUES (?, ?, ?)",
                    (article_id, fingerprint.shingles, fingerprint.values),
                )
                await db.executemany(
                    "INSERT OR IGNORE INTO signature_bands (band, article_id) VALUES (?, ?)",
                    [(band, article_id) for band in fingerprint.bands],
                )
            await self._add_source(db, story, source)
        return story

    @store_errors
    async def add_story_source(
        self, article_id: int, urls: Sequence[str], source: StorySource
    ) -> int:
        """A copy of a stored article seen elsewhere joins the article's story."""
        async with self._feed_tx() as db:
            story = await self._story_of(db, article_id, None)
            await self._add_urls(db, article_id, urls)
            await self._add_source(db, story, source)
        return story

    @store_errors
    async def story_sources(self, story_id: int) -> list[StorySource]:
        """Every known source of a story, first seen first."""
        sql = (
            "SELECT url, source, title, article_id, seen FROM story_sources "
            "WHERE story_id = ? ORDER BY seen, url"
        )
        return [
            StorySource(
                url=str(row["url"]),
                source=str(row["source"]),
                title=str(row["title"]),
                article_id=row["article_id"],
                seen=datetime.fromisoformat(row["seen"]),
            )
            for row in await self._rows(sql, [story_id])
        ]

    async def _story_of(self, db: aiosqlite.Connection, article_id: int, join: int | None) -> int:
        """The article's story: the one it has, else `join`, else a new one (in a transaction)."""
        found = list(
            await db.execute_fetchall("SELECT story_id FROM articles WHERE id = ?", (article_id,))
        )
        row = found[0] if found else None
        if row is None:
            raise StoreError(f"article {article_id} is not stored")
        if row[0] is not None:
            return int(row[0])
        story = join
        if story is None:
            cursor = await db.execute("INSERT INTO stories (created) VALUES (?)", (iso(utcnow()),))
            story = int(cursor.lastrowid or 0)
        await db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, article_id))
        return story

    async def _add_urls(
        self, db: aiosqlite.Connection, article_id: int, urls: Sequence[str]
    ) -> None:
        """Map URLs to the article; a URL already mapped keeps its first article."""
        await db.executemany(
            "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)",
            [(url, article_id) for url in dict.fromkeys(urls)],
        )

    async def _add_source(self, db: aiosqlite.Connection, story: int, source: StorySource) -> None:
        """Record (or refresh) one source of a story."""
        await db.execute(
            "INSERT INTO story_sources (story_id, url, source, title, article_id, seen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (story_id, url) DO UPDATE SET "
            "source = excluded.source, title = excluded.title, article_id = excluded.article_id",
            (story, source.url, source.source, source.title, source.article_id, iso(source.seen)),
        )
