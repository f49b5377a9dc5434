"""Web pages into the store: fetch → extract → clean → dedup → store, one shared service.

`WebIngest` owns the fetcher and the extractor (worker processes or a thread) for the
bot's lifetime; handlers, jobs and the command line all go through it. A failure is
returned as an `Outcome` with a reason; it never escapes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from bot.errors import IngestError
from bot.ingest.extract import ExtractedPage
from bot.ingest.feeds import FeedEntry
from bot.ingest.fetch import Fetcher, FetchResult
from bot.ingest.pages import read_page
from bot.ingest.pipeline import Candidate, Outcome, store_batch
from bot.ingest.urls import check_url, is_root, normalize_url, site_of
from bot.models import Article, utcnow
from bot.store.base import Store

log = logging.getLogger(__name__)


def _ignore_interrupts() -> None:
    """A worker process's start: Ctrl-C is for the bot, which stops the workers (a worker
    interrupted while waiting for work would print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Extractor:
    """Runs `read_page` off the event loop: in worker processes, or in one thread when 0.

    One thread, not asyncio's shared pool: pages extracted in several threads at once fight
    over the GIL, and the same pages cost ~30% more CPU (ingest_speed.py --workers 0).
    """

    def __init__(self, workers: int = 0) -> None:
        """Start `workers` processes lazily (0: use a thread, no processes)."""
        self.workers = workers
        self._pool: Executor | None = None

    async def read(self, fetched: FetchResult) -> ExtractedPage:
        """The article of a fetched page; NotAnArticle (an IngestError) says why not."""
        args = (fetched.body, fetched.charset, fetched.final_url)
        if self._pool is None:
            self._pool = self._start()
        return await asyncio.get_running_loop().run_in_executor(self._pool, read_page, *args)

    def _start(self) -> Executor:
        """The worker processes, or the one extraction thread."""
        if self.workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="extract")
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_ignore_interrupts)

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def page_candidate(
    page: ExtractedPage, fetched: FetchResult, entry: FeedEntry | None, source: str | None
) -> Candidate:
    """A candidate from an extracted page, with the feed entry's title and date if any."""
    final = normalize_url(fetched.final_url)
    keys = [normalize_url(fetched.url), final]
    if entry is not None and entry.link:
        keys.append(normalize_url(entry.link))
    canonical = _canonical(page.url, final)
    shown = canonical if canonical and site_of(canonical) == site_of(final) else final
    title = (entry.title if entry else "") or page.title or ""
    text = page.text
    if not title:
        title, _, text = text.partition("\n")
    published = entry.published if entry else None
    published = published or page.published or (utcnow() if entry else None)
    return Candidate(
        title=title,
        text=text,
        url=shown,
        keys=tuple(dict.fromkeys(keys)),
        source=source or page.sitename or site_of(final),
        published=published,
        language=page.language,
        tags=page.tags,
        canonical=canonical,
        fetched_url=final,
    )


def _canonical(declared: str | None, final: str) -> str | None:
    """The page's canonical URL, normalized, unless it is unusable (not http, a home page)."""
    if not declared or declared == final:
        return None
    try:
        check_url(declared)
    except IngestError:
        return None
    canonical = normalize_url(declared)
    return None if is_root(canonical) else canonical


class WebIngest:
    """Fetch, extract and store web pages; shared by handlers, jobs and the CLI."""

    def __init__(self, store: Store, fetcher: Fetcher, extractor: Extractor | None = None) -> None:
        """Use the given store, fetcher and extractor (a thread by default)."""
        self.store = store
        self.fetcher = fetcher
        self.extractor = extractor or Extractor()

    async def close(self) -> None:
        """Close the HTTP client and stop the workers."""
        await self.fetcher.aclose()
        await asyncio.to_thread(self.extractor.close)

    async def known(self, url: str) -> Article | None:
        """The stored article for a URL, if it is already stored."""
        try:
            found = await self.store.find_by_urls([normalize_url(check_url(url))])
        except IngestError:
            return None
        return found[0] if found else None

    async def ingest_url(self, url: str, source: str | None = None) -> Outcome:
        """Fetch one page and store its article; the outcome says what happened."""
        candidate = await self.fetch_candidate(url, source=source)
        if isinstance(candidate, Outcome):
            return candidate
        [outcome] = await store_batch(self.store, [candidate])
        return outcome

    async def fetch_candidate(
        self, url: str, entry: FeedEntry | None = None, source: str | None = None
    ) -> Candidate | Outcome:
        """Fetch and extract one page: a candidate, or the failed/skipped outcome."""
        fetched = await self.fetcher.fetch(url)
        if not fetched.ok:
            return Outcome(url, "failed", reason=fetched.error or f"HTTP {fetched.status}")
        if fetched.is_feed:
            return Outcome(url, "skipped", reason="this is a feed, not a page (add it as a feed)")
        try:
            page = await self.extractor.read(fetched)
        except IngestError as exc:
            log.info("not storing %s: %s", url, exc)
            return Outcome(url, "skipped", reason=str(exc))
        return page_candidate(page, fetched, entry, source)

    async def article(self, outcome: Outcome) -> Article | None:
        """The stored article behind an outcome, if there is one."""
        if outcome.article_id is None:
            return None
        return await self.store.get_article(outcome.article_id)
