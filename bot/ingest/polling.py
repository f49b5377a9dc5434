"""Feeds: adding one (with discovery from a site's page), polling it, keeping it healthy.

A poll is a conditional GET (a 304 costs nothing); new or changed entries become articles,
from the entry itself when it carries the whole text, from its page when it is a teaser.
Each failure pushes the next poll further out; `max_failures` failures in a row pause the
feed, and the poll report says so (the job tells the admins). A feed that still answers but
has brought nothing new for `quiet_after` has most likely stopped (the site moved its feed,
or froze it): the first poll to find it so says so too, once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.errors import IngestError
from bot.ingest.clean import clean_text
from bot.ingest.feeds import FeedEntry, ParsedFeed, discover_feeds, parse_feed
from bot.ingest.fetch import FetchResult
from bot.ingest.pages import decode_html
from bot.ingest.pipeline import Candidate, Outcome, store_batch
from bot.ingest.urls import check_url, normalize_url, site_of
from bot.ingest.web import WebIngest
from bot.models import Feed, utcnow

log = logging.getLogger(__name__)

MAX_CACHE_SECONDS = 24 * 3600  # a longer max-age is not believed
MAX_BACKOFF_DOUBLINGS = 5
POLL_LEASE_SECONDS = 300.0  # a poller that died releases its feeds after this long
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)


@dataclass(slots=True)
class PollReport:
    """What one poll of one feed did."""

    feed: Feed
    outcomes: list[Outcome] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None
    paused: bool = False  # this poll's failure paused the feed
    went_quiet: bool = False  # this poll is the first to find nothing new for `quiet_after`

    def count(self, status: str) -> int:
        """How many entries ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)


class FeedPoller:
    """Polls feeds into the store through a `WebIngest`."""

    def __init__(
        self,
        web: WebIngest,
        *,
        interval: int = 900,
        max_failures: int = 5,
        quiet_after: timedelta | None = timedelta(days=7),
    ) -> None:
        """`interval`: default seconds between polls; `max_failures`: failures before pausing;
        `quiet_after`: how long without a new entry makes a feed quiet (None: never)."""
        self.web = web
        self.interval = interval
        self.max_failures = max_failures
        self.quiet_after = quiet_after
        # Parsing a feed and storing its entries is CPU work on the event loop's GIL; polls
        # of many feeds at once take turns at it, so users' commands wait behind one feed's
        # work, not a hundred's. Fetching (feeds and pages) still overlaps freely.
        self._cpu_turn = asyncio.Semaphore(1)

    async def add_feed(self, url: str, interval: int | None = None) -> tuple[Feed, bool]:
        """Add a feed by its URL or by a page that links to one; IngestError says why not."""
        fetched = await self.web.fetcher.fetch(check_url(url))
        if not fetched.ok:
            raise IngestError(f"cannot fetch {url}: {fetched.error or fetched.status}")
        parsed, feed_url = await self._as_feed(fetched)
        if parsed is None:
            raise IngestError(f"no RSS or Atom feed found at {url}")
        feed = Feed(url=feed_url, title=parsed.title, interval=interval or self.interval)
        stored, created = await self.web.store.add_feed(feed)
        if not created and stored.status != "active":  # adding a paused feed again resumes it
            stored = replace(stored, status="active", failures=0, last_error=None, next_poll=None)
            await self.web.store.save_feed(stored)
        return stored, created

    async def _as_feed(self, fetched: FetchResult) -> tuple[ParsedFeed | None, str]:
        """The fetched document as a feed, or the first feed its HTML page announces."""
        parsed = await asyncio.to_thread(_parse, fetched)
        if parsed.is_feed:
            return parsed, fetched.final_url
        html = decode_html(fetched.body, fetched.charset)
        for link in discover_feeds(html, fetched.final_url)[:3]:
            found = await self.web.fetcher.fetch(link)
            if found.ok and (parsed := await asyncio.to_thread(_parse, found)).is_feed:
                return parsed, found.final_url
        return None, fetched.url

    async def poll_due(self, now: datetime | None = None) -> list[PollReport]:
        """Poll every active feed whose next poll time has come, concurrently."""
        now = now or utcnow()
        # A lease in the store: with several bot instances, each feed is polled by one.
        claimed = await self.web.store.claim_due_feeds(now, POLL_LEASE_SECONDS)
        feeds = [feed for i in claimed if (feed := await self.web.store.get_feed(i))]
        return list(await asyncio.gather(*(self.poll(feed) for feed in feeds)))

    async def poll(self, feed: Feed) -> PollReport:
        """Poll one feed now; never raises for a feed's own problems."""
        fetched = await self.web.fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        if fetched.not_modified:
            updated = await self._succeeded(feed, fetched)
            return PollReport(
                updated, not_modified=True, went_quiet=self._went_quiet(feed, updated)
            )
        if not fetched.ok:
            wait = fetched.retry_after
            return await self._failed(feed, fetched.error or f"HTTP {fetched.status}", wait)
        async with self._cpu_turn:
            parsed = await asyncio.to_thread(_parse, fetched)
        if not parsed.is_feed:
            return await self._failed(feed, "the document is not an RSS or Atom feed", None)
        if parsed.problem:
            log.warning(
                "feed %s is malformed (%s); reading what is there", feed.url, parsed.problem
            )
        if not feed.title and parsed.title:
            feed = replace(feed, title=parsed.title)
        outcomes = await self._entries(feed, parsed)
        updated = await self._succeeded(feed, fetched)
        recorded = any(outcome.status != "failed" for outcome in outcomes)
        if recorded:
            updated = replace(updated, last_new=updated.last_success)
        return PollReport(
            updated, outcomes, went_quiet=not recorded and self._went_quiet(feed, updated)
        )

    def _went_quiet(self, before: Feed, after: Feed) -> bool:
        """Whether this poll, and no earlier one, finds nothing new for `quiet_after`."""
        if self.quiet_after is None or before.last_new is None or after.last_success is None:
            return False  # a feed that never brought an entry shows as such in /feeds
        quiet_from = before.last_new + self.quiet_after
        earlier = before.last_success
        return quiet_from <= after.last_success and (earlier is None or earlier < quiet_from)

    async def _entries(self, feed: Feed, parsed: ParsedFeed) -> list[Outcome]:
        """Store the feed's new or changed entries; remember the ones that are settled."""
        assert feed.id is not None
        store = self.web.store
        seen = await store.feed_entries(feed.id, [e.key for e in parsed.entries])
        fresh = [e for e in parsed.entries if seen.get(e.key) != e.fingerprint]
        source = feed.title or site_of(feed.url)
        prepared = await asyncio.gather(*(self._candidate(e, source) for e in fresh))
        candidates = [c for c in prepared if isinstance(c, Candidate)]
        async with self._cpu_turn:
            stored = iter(await store_batch(store, candidates))
        outcomes = [next(stored) if isinstance(c, Candidate) else c for c in prepared]
        settled = [  # a failed fetch is tried again next poll
            (entry.key, entry.fingerprint, outcome.article_id)
            for entry, outcome in zip(fresh, outcomes, strict=True)
            if outcome.status != "failed"
        ]
        await store.record_feed_entries(feed.id, settled)
        return outcomes

    async def _candidate(self, entry: FeedEntry, source: str) -> Candidate | Outcome:
        """The entry's article: from its own text, or from its page when it is a teaser."""
        if entry.teaser and entry.link:
            return await self.web.fetch_candidate(entry.link, entry=entry, source=source)
        async with self._cpu_turn:
            text = clean_text(entry.text)
        title = entry.title or text.partition("\n")[0]
        url = normalize_url(entry.link) if entry.link else None
        return Candidate(
            title=title,
            text=text,
            url=url,
            keys=(url,) if url else (),
            source=source,
            published=entry.published or utcnow(),
        )

    async def _succeeded(self, feed: Feed, fetched: FetchResult) -> Feed:
        """Save a successful poll: validators, health, the next poll time."""
        now = utcnow()
        wait = max(feed.interval, _max_age(fetched.headers.get("cache-control", "")))
        headers = fetched.headers
        updated = replace(
            feed,
            etag=headers.get("etag", feed.etag),
            last_modified=headers.get("last-modified", feed.last_modified),
            failures=0,
            last_error=None,
            last_success=now,
            next_poll=now + timedelta(seconds=wait),
        )
        await self.web.store.save_feed(updated)
        return updated

    async def _failed(self, feed: Feed, error: str, retry_after: float | None) -> PollReport:
        """Save a failed poll: count it, back off, pause the feed after too many in a row."""
        failures = feed.failures + 1
        backoff = feed.interval * 2 ** min(failures - 1, MAX_BACKOFF_DOUBLINGS)
        wait = max(backoff, retry_after or 0.0)
        paused = failures >= self.max_failures and feed.status == "active"
        updated = replace(
            feed,
            failures=failures,
            last_error=error[:500],
            status="paused" if paused else feed.status,
            next_poll=utcnow() + timedelta(seconds=wait),
        )
        await self.web.store.save_feed(updated)
        log.warning("feed %s failed (%d in a row): %s", feed.url, failures, error)
        return PollReport(updated, error=error, paused=paused)


def _parse(fetched: FetchResult) -> ParsedFeed:
    """Parse a fetched document as a feed."""
    return parse_feed(fetched.body, fetched.final_url, fetched.headers)


def _max_age(cache_control: str) -> float:
    """Seconds from Cache-Control's max-age (capped), 0 when absent or no-cache."""
    match = _MAX_AGE.search(cache_control)
    return min(float(match.group(1)), MAX_CACHE_SECONDS) if match else 0.0
