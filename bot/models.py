"""Plain data shapes shared by every layer: no I/O here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

_SPACE = re.compile(r"\s+")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded, for duplicate detection."""
    normalized = _SPACE.sub(" ", text).strip().casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """One stored news article: cleaned text with one paragraph per line."""

    title: str
    text: str
    url: str | None = None
    source: str = ""
    published: datetime | None = None
    fetched: datetime = field(default_factory=utcnow)
    language: str = "en"
    tags: tuple[str, ...] = ()
    id: int | None = None

    @property
    def content_hash(self) -> str:
        """Hash of the body (see `content_hash`)."""
        return content_hash(self.text)

    @property
    def when(self) -> datetime:
        """The best date to show: published if known, else when it was fetched."""
        return self.published or self.fetched


@dataclass(frozen=True, slots=True)
class StoredResult:
    """What happened when an article was offered to the store."""

    article_id: int
    status: str  # "added" | "duplicate" | "updated"


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """The summary of one article: its sentences in document order.

    In a topic summary an item is one story: `article` supplied the sentences (possibly none,
    when the word budget went to other stories) and `also` lists the other articles that
    carry the same text.
    """

    article: Article
    sentences: tuple[str, ...]
    also: tuple[Article, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """The answer to `/summary <topic>`: one item per story, stories with sentences first."""

    query: str
    items: tuple[ArticleSummary, ...]

    @property
    def articles(self) -> int:
        """How many articles the summary draws on, duplicates of a story included."""
        return sum(1 + len(item.also) for item in self.items)


@dataclass(frozen=True, slots=True)
class Count:
    """A label with how many stored articles carry it."""

    label: str
    count: int
