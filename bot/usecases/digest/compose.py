"""What goes into a chat's digest: the new stories on each of its topics, filtered and bounded.

For each subscription the store's best matches published or fetched in the last `WINDOW`
(14 days; for a new subscription, the week before it began) are kept when they carry every
`must` word and no `must_not` word (plain, case-insensitive whole-word matching; a filter
of several words matches them as a phrase), do not come from a muted source and were never
sent to the chat.
When the best matches were all sent already, more are asked for, so an article that ranks
below many that went out before still gets in. Older news is not digest material, and the
delivery log only needs to remember what a digest could still pick (`DELIVERIES_KEPT`).
The summarizer groups what is left into stories. Stories are then taken round-robin across
topics, so one busy topic cannot crowd out the others, until the digest holds
`DigestLimits.stories` stories or its text budget.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import zip_longest

from bot.models import Article, ArticleSummary, ChatSettings, Subscription, TopicSummary, utcnow
from bot.store import Store
from bot.summarize import Summarizer
from bot.transport.text import MAX_MESSAGE

SEARCH_LIMIT = 30  # candidates per topic asked from the store at first
MAX_SEARCH = 960  # at most, when the best ones were sent already (the window bounds it too)
TOPIC_ARTICLES = 15  # new articles per topic handed to the summarizer
LOOKBACK = timedelta(days=7)  # a new subscription starts with the past week's news
WINDOW = timedelta(days=14)  # a digest picks from this long back at most
DELIVERIES_KEPT = WINDOW + timedelta(days=30)  # older log rows can no longer matter
_NO_WORD_LIMIT = 100_000  # every story gets its sentences; DigestLimits bounds the digest
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class DigestLimits:
    """How much one digest may hold."""

    stories: int = 10
    chars: int = 6000  # sentences, titles and sources: about two Telegram messages
    message_chars: int = MAX_MESSAGE


@dataclass(frozen=True, slots=True)
class Digest:
    """A chat's digest: one topic summary per subscription that has new stories."""

    chat_id: int
    sections: list[tuple[str, TopicSummary]] = field(default_factory=list)

    @property
    def stories(self) -> int:
        """How many stories the digest tells."""
        return sum(len(summary.items) for _, summary in self.sections)

    @property
    def article_ids(self) -> list[int]:
        """Every article the digest covers, story articles and their other sources."""
        return [
            i for _, summary in self.sections for item in summary.items for i in story_ids(item)
        ]


def story_ids(item: ArticleSummary) -> tuple[int, ...]:
    """The ids of the articles one story covers: its own and those in `also`."""
    return tuple(a.id for a in (item.article, *item.also) if a.id is not None)


def _phrase(text: str) -> str:
    """Text as its case-folded words, space separated and padded, for phrase lookups."""
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def matches(article: Article, subscription: Subscription) -> bool:
    """Whether the article has every `must` word and none of the `must_not` words."""
    words = _phrase(f"{article.title}\n{article.text}")
    must = [_phrase(term) for term in subscription.must]
    must_not = [_phrase(term) for term in subscription.must_not]
    return all(term in words for term in must if term.strip()) and not any(
        term in words for term in must_not if term.strip()
    )


def _utc(moment: datetime) -> datetime:
    """An aware datetime; a naive one is taken to be UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window_start(subscription: Subscription, now: datetime) -> datetime:
    """The oldest date a digest picks from: `WINDOW` ago, or `LOOKBACK` before it began."""
    return max(_utc(subscription.created) - LOOKBACK, now - WINDOW)


def is_muted(article: Article, settings: ChatSettings) -> bool:
    """Whether the chat muted the article's source (case-insensitive)."""
    muted = {source.casefold() for source in settings.muted_sources}
    return article.source.casefold() in muted


_Key = tuple[str, tuple[int, ...], int]


class TopicCache:
    """Topic summaries by (topic, article ids, sentences): chats that share a topic share one.

    A summary still being computed is shared too (a hundred chats on one topic wait for one
    computation), and at most `workers` are computed at once, so the summarizer's threads
    leave the event loop, and with it the paced sends, room to run.
    """

    def __init__(self, size: int = 512, workers: int = 2) -> None:
        self._size = size
        self._items: OrderedDict[_Key, asyncio.Future[TopicSummary]] = OrderedDict()
        self._slots = asyncio.Semaphore(workers)

    async def topic(
        self, summarizer: Summarizer, query: str, articles: Sequence[Article], sentences: int
    ) -> TopicSummary:
        """The summarizer's topic summary, computed once per distinct input."""
        key = (query, tuple(a.id or 0 for a in articles), sentences)
        found = self._items.get(key)
        if found is None:
            found = asyncio.ensure_future(self._compute(summarizer, key[0], articles, sentences))
            self._items[key] = found
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        try:
            return await asyncio.shield(found)
        except Exception:
            self._items.pop(key, None)  # a failure is not remembered
            raise

    async def _compute(
        self, summarizer: Summarizer, query: str, articles: Sequence[Article], sentences: int
    ) -> TopicSummary:
        """One summary, when a worker slot is free."""
        async with self._slots:
            return await summarizer.topic(query, articles, sentences, words=_NO_WORD_LIMIT)


async def _new_articles(
    store: Store, subscription: Subscription, settings: ChatSettings
) -> list[Article]:
    """The subscription's matching articles of its window that the chat has not been sent."""
    since = window_start(subscription, utcnow())
    limit, checked, sent = SEARCH_LIMIT, set[int](), set[int]()
    while True:
        found = await store.search(subscription.topic, limit=limit, since=since)
        kept = [
            a
            for a in found
            if a.id is not None and not is_muted(a, settings) and matches(a, subscription)
        ]
        unchecked = [a.id for a in kept if a.id is not None and a.id not in checked]
        sent |= await store.delivered(settings.chat_id, unchecked)  # each id asked once
        checked.update(unchecked)
        new = [a for a in kept if a.id not in sent]
        if len(new) >= TOPIC_ARTICLES or len(found) < limit or limit >= MAX_SEARCH:
            return new[:TOPIC_ARTICLES]
        limit *= 2


def _size(item: ArticleSummary) -> int:
    """Roughly how many characters a story takes in the digest."""
    text = sum(len(sentence) + 1 for sentence in item.sentences)
    return len(item.article.title) + text + 60 + 40 * len(item.also)


def _pick(
    sections: list[tuple[str, TopicSummary]], limits: DigestLimits
) -> list[tuple[str, TopicSummary]]:
    """Stories taken round-robin across sections until a limit; sections keep their order."""
    chosen: list[list[ArticleSummary]] = [[] for _ in sections]
    seen: set[int] = set()
    count = chars = 0
    rounds = zip_longest(*(summary.items for _, summary in sections))
    for row in rounds:
        for number, item in enumerate(row):
            if item is None or seen.intersection(story_ids(item)):
                continue
            if count >= limits.stories or (count and chars + _size(item) > limits.chars):
                return _sections(sections, chosen)
            chosen[number].append(item)
            seen.update(story_ids(item))
            count, chars = count + 1, chars + _size(item)
    return _sections(sections, chosen)


def _sections(
    sections: list[tuple[str, TopicSummary]], chosen: list[list[ArticleSummary]]
) -> list[tuple[str, TopicSummary]]:
    """The sections cut to their chosen stories; sections left empty dropped."""
    return [
        (topic, TopicSummary(summary.query, tuple(items)))
        for (topic, summary), items in zip(sections, chosen, strict=True)
        if items
    ]


async def compose_digest(
    store: Store,
    summarizer: Summarizer,
    settings: ChatSettings,
    *,
    limits: DigestLimits | None = None,
    cache: TopicCache | None = None,
) -> Digest:
    """The chat's digest of stories not sent yet (no sections: nothing new)."""
    limits = limits or DigestLimits()
    cache = cache or TopicCache()
    sections: list[tuple[str, TopicSummary]] = []
    taken: set[int] = set()
    for subscription in await store.subscriptions(settings.chat_id):
        articles = [
            a for a in await _new_articles(store, subscription, settings) if a.id not in taken
        ]
        if not articles:
            continue
        taken.update(a.id for a in articles if a.id is not None)
        summary = await cache.topic(summarizer, subscription.topic, articles, settings.sentences)
        sections.append((subscription.topic, summary))
    return Digest(settings.chat_id, _pick(sections, limits))
