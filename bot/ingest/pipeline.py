"""Cleaned candidates → the store, through the site's boilerplate filter and the dedup layers.

Layers, first match wins: a feed entry already seen (checked by the caller) → a normalized
URL or canonical URL the store knows (a changed body updates that article in place; a
canonical URL only counts when the texts agree) → the same body (a copy: recorded as another
source of the article's story) → a near-duplicate or strongly overlapping text (stored, and
joins that article's story).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.ingest import dedup, sitelines
from bot.ingest.pages import MIN_WORDS, has_words
from bot.ingest.records import language_code, with_sentences
from bot.ingest.urls import site_of
from bot.models import Article, Fingerprint, StorySource
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
    filtered = await _drop_site_lines(store, candidates, [k is None for k in known])
    outcomes: list[Outcome] = []
    for candidate, found in zip(filtered, known, strict=True):
        shown = candidate.url or candidate.title
        if not has_words(candidate.text, MIN_WORDS):
            reason = "too short once the site's repeated lines are removed"
            outcomes.append(Outcome(shown, "skipped", reason=reason, title=candidate.title))
            continue
        outcomes.append(await _store_one(store, candidate, found))
    return outcomes


async def _drop_site_lines(
    store: Store, candidates: Sequence[Candidate], new: Sequence[bool]
) -> list[Candidate]:
    """Learn line counts from the new candidates, then drop each site's known boilerplate."""
    sites: dict[str, list[frozenset[str]]] = {}
    for candidate, is_new in zip(candidates, new, strict=True):
        lines = sites.setdefault(candidate.site, [])
        if is_new and candidate.site:
            lines.append(sitelines.line_keys(candidate.text))
    boilerplate: dict[str, frozenset[str]] = {}
    for site, pages in sites.items():
        if not site:
            continue
        await store.learn_site_lines(site, pages)
        boilerplate[site] = await store.site_boilerplate(site, sitelines.MIN_ARTICLES)
    return [
        replace(c, text=sitelines.drop_known(c.text, boilerplate.get(c.site, frozenset())))
        for c in candidates
    ]


async def _store_one(
    store: Store, candidate: Candidate, found: tuple[Article, str] | None
) -> Outcome:
    """Store one candidate through the dedup layers; returns what happened."""
    fingerprint, article = await asyncio.to_thread(_prepared, candidate)
    if (
        found
        and found[1] not in candidate.keys
        and not await _same_text(store, found[0], fingerprint)
    ):
        found = None  # only the canonical URL is shared, and the texts differ
        candidate = replace(candidate, url=candidate.fetched_url or candidate.url, canonical=None)
    article = replace(article, url=found[0].url if found else candidate.url)
    result = await store.add_article(article)
    source = StorySource(
        url=candidate.url or article.url or "",
        source=candidate.source,
        title=candidate.title,
        article_id=result.article_id,
    )
    keys = candidate.all_keys
    if result.status == "duplicate":
        story = await store.add_story_source(result.article_id, keys, source)
    else:
        join = await _story_to_join(store, fingerprint, result.article_id)
        story = await store.link_article(result.article_id, keys, fingerprint, source, join)
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


async def _story_to_join(
    store: Store, fingerprint: Fingerprint | None, article_id: int
) -> int | None:
    """The story of the most similar stored article, if the new one tells the same story."""
    if fingerprint is None:
        return None
    known = await store.similar_fingerprints(fingerprint.bands)
    others = [other for other in known if other.article_id != article_id and other.story_id]
    match = dedup.best_match(fingerprint, others)
    return match.story_id if match else None
