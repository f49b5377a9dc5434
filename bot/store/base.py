"""The `Store` protocol: everything the bot needs from a database, backend-neutral."""

from __future__ import annotations

from typing import Protocol

from bot.models import Article, Count, StoredResult


class Store(Protocol):
    """Persistent article storage with topic search.

    Implementations: `SqliteStore` (embedded default). Callers only see this protocol,
    so a PostgreSQL implementation can be added without changing them.
    """

    async def open(self) -> None:
        """Connect, create or migrate the schema."""

    async def close(self) -> None:
        """Release connections; safe to call twice."""

    async def add_article(self, article: Article) -> StoredResult:
        """Store an article unless its URL or content hash is already stored.

        Same URL with a changed body updates the stored article in place.
        """

    async def get_article(self, article_id: int) -> Article | None:
        """One article by id, or None."""

    async def search(self, query: str, limit: int = 5) -> list[Article]:
        """Articles matching a free-text topic, best first (relevance and recency).

        `query` is raw user input: implementations never pass it to a query language as is.
        """

    async def latest(self, limit: int = 10) -> list[Article]:
        """The newest articles, newest first."""

    async def count_articles(self) -> int:
        """How many articles are stored."""

    async def source_counts(self, limit: int = 10) -> list[Count]:
        """Sources with their article counts, largest first."""

    async def tag_counts(self, limit: int = 10) -> list[Count]:
        """Most frequent topics (tags) with their article counts, largest first."""
