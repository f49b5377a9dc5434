"""Plain data shapes shared by every layer: no I/O here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

_SPACE = re.compile(r"\s+")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@lru_cache(maxsize=64)
def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded, for duplicate detection.

    Memoized: storing one article asks for its hash several times (before and inside the
    write transaction, and for the row).
    """
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
    story_id: int | None = None  # articles telling the same story share it (web ingestion)
    # Where its sentences are, as `bot.summarize.document.split_once` wrote them at ingestion
    # ("" = not split yet: the summarizer splits it when it reads it).
    sentence_spans: str = ""
    # Its sentences as a topic summary reads them (cleaned, stemmed), as
    # `bot.summarize.reading.reading_of` wrote them at ingestion ("" = not read yet).
    reading: str = ""

    @property
    def content_hash(self) -> str:
        """Hash of the body (see `content_hash`)."""
        return content_hash(self.text)

    @property
    def when(self) -> datetime:
        """The best date to show: published if known, else when it was fetched."""
        return self.published or self.fetched


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS/Atom feed the bot polls, with its polling state and health."""

    url: str
    title: str = ""
    interval: int = 900  # seconds between polls, at least
    status: str = "active"  # "active" | "paused" (too many failures in a row)
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0  # consecutive failed polls
    last_error: str | None = None
    last_success: datetime | None = None
    next_poll: datetime | None = None  # None: due now
    articles: int = 0  # articles stored from it (filled in by the store)
    id: int | None = None
    last_new: datetime | None = None  # when it last brought a new entry (filled in by the store)


@dataclass(frozen=True, slots=True)
class StorySource:
    """One place that carried a story: the stored article, or a copy of one elsewhere."""

    url: str
    source: str
    title: str
    article_id: int | None = None
    seen: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's MinHash signature (see `bot.ingest.dedup`) for near-duplicate lookup."""

    values: bytes  # NUM_PERM unsigned 32-bit MinHash values
    shingles: int  # distinct word shingles in the text
    bands: tuple[int, ...]  # LSH band keys
    article_id: int | None = None
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class PageWrite:
    """All that storing one page writes (`Store.store_page`), in one transaction."""

    article: Article
    urls: tuple[str, ...]  # every normalized URL that should lead to the article
    fingerprint: Fingerprint | None
    source: StorySource  # where it was seen (its article id is filled in when stored)
    site: str = ""  # whose line counts `line_keys` add to ("": none)
    line_keys: tuple[frozenset[str], ...] = ()  # the page's line keys, when it is new


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


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat follows a topic, optionally with words that must or must not appear."""

    chat_id: int
    topic: str
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    created: datetime = field(default_factory=utcnow)
    id: int | None = None


LENGTHS = {"short": 1, "normal": 3, "long": 5}  # summary length choice → sentences per story
FREQUENCIES = ("daily", "twice", "off")  # digests per day: once, twice (12 h apart), none


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's digest and summary preferences; times are local to `timezone`."""

    chat_id: int
    length: str = "normal"
    frequency: str = "daily"
    digest_hour: int = 8
    timezone: str = "UTC"
    quiet_start: int | None = None  # local hour quiet hours begin (no digest until they end)
    quiet_end: int | None = None
    muted_sources: tuple[str, ...] = ()
    blocked: bool = False  # the user blocked the bot: digests paused until /start

    @property
    def sentences(self) -> int:
        """Sentences per story for this chat's summary length."""
        return LENGTHS.get(self.length, LENGTHS["normal"])
