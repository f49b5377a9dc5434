"""The `Store` protocol: everything the bot needs from a database, backend-neutral."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from bot.models import (
    Article,
    ChatSettings,
    Count,
    Feed,
    Fingerprint,
    PageWrite,
    StoredResult,
    StorySource,
    Subscription,
)

UPDATES_KEPT_SECONDS = 86_400.0  # webhook update claims kept (Telegram resends for less)
UPDATES_PRUNED_EVERY = 100  # claims older than that are deleted by every 100th update


class SubscriptionStore(Protocol):
    """Subscriptions, chat settings, digest schedules and the delivery log.

    Digest work is claimed through the store (`claim_due_digests`) so that, later, several
    bot instances can share one database and each digest still goes out once; the delivery
    log (`record_delivery` / `delivered`) makes a retried or resumed digest skip what was sent.
    """

    async def subscribe(self, subscription: Subscription) -> Subscription:
        """Add a subscription (same chat and topic: replace its filters); returns it with id."""

    async def unsubscribe(self, chat_id: int, subscription_id: int) -> bool:
        """Remove one of the chat's subscriptions; False when it was not there."""

    async def subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings (defaults when it never changed any)."""

    async def save_chat_settings(self, settings: ChatSettings) -> None:
        """Store the chat's settings."""

    async def schedule_digest(self, chat_id: int, when: datetime | None) -> None:
        """Set when the chat's next digest is due (None: no digest scheduled)."""

    async def claim_due_digests(
        self, now: datetime, worker: str, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Claim up to `limit` chats whose digest is due and unclaimed (or whose claim expired).

        Blocked chats and chats without subscriptions are never due.
        """

    async def finish_digest(self, chat_id: int, worker: str, next_due: datetime | None) -> None:
        """Release the claim and set the next due time."""

    async def delivered(self, chat_id: int, article_ids: Sequence[int]) -> set[int]:
        """Which of `article_ids` were already sent to the chat."""

    async def record_delivery(
        self, chat_id: int, article_ids: Sequence[int], message_id: int | None
    ) -> None:
        """Log that these articles reached the chat (idempotent)."""

    async def prune_deliveries(self, before: datetime) -> int:
        """Forget deliveries sent before `before` (no digest can pick their articles any
        more, see `bot.usecases.digest.compose.DELIVERIES_KEPT`); how many were forgotten."""

    async def remember_topic(self, query: str) -> int:
        """A short stable id for a topic text (for button callback data)."""

    async def topic_text(self, topic_id: int) -> str | None:
        """The topic text behind an id from `remember_topic`, or None."""

    async def claim_digest(
        self, chat_id: int, now: datetime, worker: str, lease_seconds: float
    ) -> bool:
        """Claim one chat's digest, due or not (/digest); False while another claim holds."""

    async def unscheduled_chats(self, limit: int = 1000) -> list[int]:
        """Chats that should have a next digest time but have none (start-up repair)."""

    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """True for the first instance to take this webhook update; False for a repeat.

        Claims older than a day are forgotten (Telegram gives up resending long before).
        """

    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """A group became a supergroup: its subscriptions, settings and delivery log move.

        What the new chat has already (a topic, its settings, a delivered article) stays;
        the moved chat is unblocked and unclaimed, and due at `now` if it had no next digest
        time (and digests are not off). False when the old chat had nothing to move.
        """


class FeedStore(Protocol):
    """Web ingestion: feeds and their state, dedup keys, per-site boilerplate, stories."""

    async def add_feed(self, feed: Feed) -> tuple[Feed, bool]:
        """Add a feed unless its URL is known; the stored feed, and whether it is new."""

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id, or None."""

    async def find_feed(self, url: str) -> Feed | None:
        """The feed with this URL, or None."""

    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first, each with how many articles it brought."""

    async def save_feed(self, feed: Feed) -> None:
        """Store a known feed's title, interval, status, validators, health and next poll."""

    async def claim_due_feeds(
        self, now: datetime, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Lease the active feeds due at `now` for one poller: their next poll moves past the
        lease, so other instances skip them until the poller saves the real next poll."""

    async def remove_feed(self, feed_id: int) -> bool:
        """Forget a feed (its articles stay); False when there was none."""

    async def feed_entries(self, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        """The fingerprints recorded for those of a feed's entry keys that were seen, by key."""

    async def record_feed_entries(
        self, feed_id: int, entries: Sequence[tuple[str, str, int | None]]
    ) -> None:
        """Remember feed entries as (key, fingerprint, article it became or None), in one
        transaction; a key already recorded is overwritten (the last of repeated keys wins)."""

    async def find_by_urls(self, urls: Sequence[str]) -> tuple[Article, str] | None:
        """The article known by one of these normalized URLs, with the URL that matched."""

    async def learn_site_lines(self, site: str, pages: Sequence[frozenset[str]]) -> None:
        """Count one more article of `site` for every line key in each page's key set."""

    async def site_boilerplate(self, site: str, min_articles: int) -> frozenset[str]:
        """The line keys of `site` seen in at least `min_articles` articles."""

    async def line_counts(self, site: str, keys: Collection[str]) -> dict[str, int]:
        """How many articles of `site` carried each of these line keys (absent: none yet)."""

    async def prune_site_lines(self, older_than: datetime, below: int) -> int:
        """Forget line keys seen in fewer than `below` articles and not since `older_than`."""

    async def similar_fingerprints(
        self, bands: Sequence[int], limit: int = 50
    ) -> list[Fingerprint]:
        """Fingerprints of stored articles that share at least one LSH band key."""

    async def fingerprint_of(self, article_id: int) -> Fingerprint | None:
        """The stored fingerprint of an article, or None."""

    async def link_article(
        self,
        article_id: int,
        urls: Sequence[str],
        fingerprint: Fingerprint | None,
        source: StorySource,
        join_story: int | None = None,
    ) -> int:
        """Record a stored article's URLs, fingerprint and story; returns its story id.

        An article keeps the story it has; otherwise it joins `join_story` or starts one.
        """

    async def add_story_source(
        self, article_id: int, urls: Sequence[str], source: StorySource
    ) -> int:
        """A copy of a stored article seen elsewhere: its URLs now lead to the article and it
        becomes a source of the article's story; returns the story id."""

    async def story_sources(self, story_id: int) -> list[StorySource]:
        """Every known source of a story, first seen first."""

    async def store_page(
        self, page: PageWrite, choose_story: Callable[[list[Fingerprint]], int | None]
    ) -> tuple[StoredResult, int]:
        """Store one page in one transaction: its line keys counted for its site, then its
        article as `add_article` would, then, for a copy of a stored body, its URLs and
        source joined to that article's story (`add_story_source`), else its URLs,
        fingerprint and story as `link_article` would, the story being `choose_story`'s pick
        among the stored fingerprints that share a band with it. The result and the story."""


class PacingStore(Protocol):
    """Send pacing shared by a fleet of instances (`bot.transport.ratelimit`), where it can."""

    @property
    def shares_rate_limits(self) -> bool:
        """Whether the two methods below pace a fleet (PostgreSQL; SQLite has no fleet)."""

    async def reserve_slot(self, key: str, interval: float, burst: float) -> float:
        """Take the next send slot of `key` (one per `interval` seconds, `burst` seconds
        of credit); how many seconds to wait for it."""

    async def pause_key(self, key: str, seconds: float) -> None:
        """Hold `key` back for `seconds` fleet-wide (a 429 seen by one instance)."""


class Store(SubscriptionStore, FeedStore, PacingStore, Protocol):
    """Persistent article storage with topic search.

    One implementation, `bot.store.sqlstore.SqlStore`, on SQLite or PostgreSQL as
    DATABASE_URL says (`open_store`); callers only see this protocol.
    """

    async def open(self) -> None:
        """Connect and check the schema version (see `open_store` for AUTO_MIGRATE)."""

    async def close(self) -> None:
        """Release connections; safe to call twice."""

    async def add_article(self, article: Article) -> StoredResult:
        """Store an article unless its URL or content hash is already stored.

        Same URL with a changed body updates the stored article in place.
        """

    async def get_article(self, article_id: int) -> Article | None:
        """One article by id, or None."""

    async def search(
        self, query: str, limit: int = 5, *, since: datetime | None = None
    ) -> list[Article]:
        """Articles matching a free-text topic, best first (relevance and recency); with
        `since`, only those published or fetched then or later.

        `query` is raw user input: implementations never pass it to a query language as is.
        """

    async def search_with_version(self, query: str, limit: int = 5) -> tuple[list[Article], str]:
        """`search`, and the `articles_version` read just before it in the same unit of work:
        a version the answer may be cached under, never newer than the articles read."""

    async def closest(self, query: str, limit: int = 2) -> list[Article]:
        """The best articles with any of the query's words, about the topic or not: offered
        (explicitly labelled) only when `search` finds nothing."""

    async def latest(self, limit: int = 10) -> list[Article]:
        """The newest articles, newest first."""

    async def recent_titles(self, limit: int) -> list[str]:
        """The titles of the `limit` articles stored last (by id), last first: the words a
        misspelt topic is compared with (`bot.spelling`)."""

    @property
    def local_writes(self) -> int:
        """How many articles this process added or changed through this store (no query)."""

    async def articles_version(self) -> str:
        """A cheap token that changes whenever an article is added or updated.

        Callers cache what they computed from articles (topic answers) under it.
        """

    async def unread_articles(
        self, fresh: str, limit: int, below: int | None = None
    ) -> list[Article]:
        """Up to `limit` articles whose reading does not start with `fresh`, highest id first
        (ids below `below` when given)."""

    async def save_readings(self, readings: Sequence[tuple[Article, str]]) -> None:
        """Store readings made of these articles where their body is unchanged."""

    async def count_articles(self) -> int:
        """How many articles are stored."""

    async def source_counts(self, limit: int = 10) -> list[Count]:
        """Sources with their article counts, largest first."""

    async def tag_counts(self, limit: int = 10) -> list[Count]:
        """Most frequent topics (tags) with their article counts, largest first."""
