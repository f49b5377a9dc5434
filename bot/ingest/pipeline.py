"""Cleaned candidates → the store, through the site's boilerplate filter and the dedup layers.

Layers, first match wins: a feed entry already seen (checked by the caller) → a normalized
URL or canonical URL the store knows (a changed body updates that article in place; a
canonical URL only counts when the texts agree) → the same body (a copy: recorded as another
source of the article's story) → a near-duplicate or strongly overlapping text (stored, and
joins that article's story).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.ingest import dedup, sitelines
from bot.ingest.pages import MIN_WORDS, has_words
from bot.ingest.records import language_code, with_sentences
from bot.ingest.urls import site_of
from bot.models import Article, Fingerprint, PageWrite, StorySource
from bot.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A cleaned article on its way to the store, with every URL it is known by."""

    title: str
    text: str
    url: str | None  # the normalized URL it is shown with
    keys: tuple[str, ...]  # normalized URLs it was reached by (requested, final, entry link)
    source: str
    published: datetime | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    canonical: str | None = None  # the page's own canonical URL, normalized
    fetched_url: str | None = None  # where it was fetched: its URL if the canonical is wrong

    @property
    def all_keys(self) -> tuple[str, ...]:
        """Every URL that identifies it: the ones it was reached by, then its canonical URL."""
        extra = (self.canonical,) if self.canonical and self.canonical not in self.keys else ()
        return (*self.keys, *extra)

    @property
    def site(self) -> str:
        """The site whose boilerplate lines apply."""
        return site_of(self.url or "")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input: stored, updated, a copy, unchanged, skipped or failed."""

    url: str
    status: str  # "added" | "updated" | "duplicate" | "skipped" | "failed"
    article_id: int | None = None
    story_id: int | None = None
    reason: str | None = None
    title: str = ""

    @property
    def stored(self) -> bool:
        """Whether an article (new or already known) stands behind this outcome."""
        return self.article_id is not None


async def store_batch(store: Store, candidates: Sequence[Candidate]) -> list[Outcome]:
    """Filter each site's boilerplate lines, then store the candidates one by one."""
    known = [await store.find_by_urls(c.all_keys) if c.all_keys else None for c in candidates]
    lines = [sitelines.line_keys(c.text) if c.site else frozenset[str]() for c in candidates]
    new = [found is None for found in known]
    filtered = await _drop_site_lines(store, candidates, lines, new)
    outcomes: list[Outcome] = []
    for candidate, found, keys, is_new in zip(filtered, known, lines, new, strict=True):
        learned = keys if is_new and candidate.site else frozenset[str]()
        shown = candidate.url or candidate.title
        if not has_words(candidate.text, MIN_WORDS):
            if learned:  # its lines count all the same, as every new page's do
                await store.learn_site_lines(candidate.site, [learned])
            reason = "too short once the site's repeated lines are removed"
            outcomes.append(Outcome(shown, "skipped", reason=reason, title=candidate.title))
            continue
        outcomes.append(await _store_one(store, candidate, found, learned))
    return outcomes


async def _drop_site_lines(
    store: Store,
    candidates: Sequence[Candidate],
    lines: Sequence[frozenset[str]],
    new: Sequence[bool],
) -> list[Candidate]:
    """Each candidate without its site's boilerplate: the lines whose key the site's stored
    articles and this batch's new candidates carried `sitelines.MIN_ARTICLES` times or more
    (the new candidates' counts are stored with them, by `Store.store_page`)."""
    batch: dict[str, Counter[str]] = {}
    wanted: dict[str, set[str]] = {}
    for candidate, keys, is_new in zip(candidates, lines, new, strict=True):
        if not candidate.site:
            continue
        wanted.setdefault(candidate.site, set()).update(keys)
        if is_new:
            batch.setdefault(candidate.site, Counter()).update(keys)
    boilerplate: dict[str, frozenset[str]] = {}
    for site, site_keys in wanted.items():
        stored, counted = await store.line_counts(site, site_keys), batch.get(site, Counter())
        boilerplate[site] = frozenset(
            key for key in site_keys if stored.get(key, 0) + counted[key] >= sitelines.MIN_ARTICLES
        )
    return [
        replace(c, text=sitelines.drop_known(c.text, boilerplate.get(c.site, frozenset())))
        for c in candidates
    ]


async def _store_one(
    store: Store,
    candidate: Candidate,
    found: tuple[Article, str] | None,
    learned: frozenset[str],
) -> Outcome:
    """Store one candidate through the dedup layers, with the line keys it teaches its site,
    in one transaction; returns what happened."""
    fingerprint, article = await asyncio.to_thread(_prepared, candidate)
    if (
        found
        and found[1] not in candidate.keys
        and not await _same_text(store, found[0], fingerprint)
    ):
        found = None  # only the canonical URL is shared, and the texts differ
        candidate = replace(candidate, url=candidate.fetched_url or candidate.url, canonical=None)
    article = replace(article, url=found[0].url if found else candidate.url)
    source = StorySource(
        url=candidate.url or article.url or "", source=candidate.source, title=candidate.title
    )
    page = PageWrite(
        article=article,
        urls=candidate.all_keys,
        fingerprint=fingerprint,
        source=source,
        site=candidate.site if learned else "",
        line_keys=(learned,) if learned else (),
    )
    result, story = await store.store_page(page, functools.partial(_story_to_join, fingerprint))
    log.debug("%s %s (story %d)", result.status, source.url, story)
    return Outcome(source.url, result.status, result.article_id, story, title=candidate.title)


def _prepared(candidate: Candidate) -> tuple[Fingerprint | None, Article]:
    """The candidate's fingerprint, and its article with the language and the reading the
    summarizer needs: the CPU work of storing a page, done in one hop off the event loop."""
    article = Article(
        title=candidate.title,
        text=candidate.text,
        url=candidate.url,
        source=candidate.source,
        published=candidate.published,
        language=language_code(candidate.language, f"{candidate.title}\n{candidate.text}"),
        tags=candidate.tags,
    )
    return dedup.fingerprint(candidate.text), with_sentences(article)


async def _same_text(store: Store, article: Article, fingerprint: Fingerprint | None) -> bool:
    """Whether a stored article and a new text are the same article (maybe revised)."""
    if article.id is None or fingerprint is None:
        return False
    stored = await store.fingerprint_of(article.id)
    if stored is None:
        stored = dedup.fingerprint(article.text)
    return (
        stored is not None
        and dedup.similarity(stored, fingerprint) >= dedup.SAME_ARTICLE_SIMILARITY
    )


def _story_to_join(fingerprint: Fingerprint | None, known: list[Fingerprint]) -> int | None:
    """The story of the most similar stored article (`known`: the others sharing a band with
    it), if the new one tells the same story."""
    if fingerprint is None:
        return None
    match = dedup.best_match(fingerprint, known)
    return match.story_id if match else None
