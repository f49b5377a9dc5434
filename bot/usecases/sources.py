"""Web sources as use cases: feeds (for admins), single pages and pasted links (for anyone).

Handlers, jobs and the command line call these; each takes the shared `Resources`. Feed
problems raise `IngestError` with a message fit for the user; page problems come back as
an `Outcome` with a reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.config import DEFAULT_FEED_URLS, Settings
from bot.context import Resources
from bot.errors import IngestError
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.pipeline import Outcome
from bot.ingest.polling import FeedPoller
from bot.ingest.safety import AddressPolicy
from bot.ingest.urls import check_url
from bot.ingest.web import Extractor, WebIngest
from bot.models import ArticleSummary, Feed
from bot.netaddr import parse_networks
from bot.store.base import Store

log = logging.getLogger(__name__)


def build_web(settings: Settings, store: Store, workers: int | None = None) -> FeedPoller:
    """The fetcher, extractor and feed poller that settings describe (nothing opened yet)."""
    policy = AddressPolicy(parse_networks(settings.allow_private_urls))
    limits = FetchLimits(
        connect_timeout=settings.fetch_timeout,
        read_timeout=settings.fetch_timeout,
        total_timeout=settings.fetch_timeout * 3,
        max_bytes=settings.fetch_max_bytes,
    )
    extractor = Extractor(workers if workers is not None else settings.ingest_workers or 0)
    web = WebIngest(store, Fetcher(policy, limits), extractor)
    quiet = timedelta(days=settings.feed_quiet_days) if settings.feed_quiet_days else None
    return FeedPoller(
        web,
        interval=settings.feed_interval,
        max_failures=settings.feed_max_failures,
        quiet_after=quiet,
    )


def is_admin(settings: Settings, user_id: int | None) -> bool:
    """Whether the user may manage feeds (listed in ADMIN_IDS)."""
    return user_id is not None and user_id in settings.admins


@dataclass(frozen=True, slots=True)
class LinkAnswer:
    """What became of a pasted link: the outcome and, if there is an article, its summary."""

    outcome: Outcome
    summary: ArticleSummary | None = None


async def summarize_link(resources: Resources, url: str) -> LinkAnswer:
    """Fetch, extract and store the page behind a link (unless stored already); summarize it."""
    web = resources.feeds.web
    known = await web.known(url)
    if known is not None and known.id is not None:
        outcome = Outcome(
            known.url or url, "duplicate", known.id, known.story_id, title=known.title
        )
        return LinkAnswer(outcome, await resources.summarizer.article(known))
    outcome = await web.ingest_url(url)
    article = await web.article(outcome)
    summary = await resources.summarizer.article(article) if article else None
    return LinkAnswer(outcome, summary)


async def ingest_page(resources: Resources, url: str) -> Outcome:
    """/ingest <url>: fetch the page again and store (or update) its article."""
    return await resources.feeds.web.ingest_url(url)


async def add_feed(resources: Resources, url: str) -> tuple[Feed, bool]:
    """/addfeed <url>: add a feed, or the feed a page links to; IngestError says why not."""
    return await resources.feeds.add_feed(url)


async def remove_feed(resources: Resources, reference: str) -> Feed | None:
    """/removefeed <id or url>: forget a feed; None when no feed matches."""
    store = resources.store
    reference = reference.strip()
    if reference.isascii() and reference.isdigit():
        # Past 18 digits it cannot be a stored id (SQLite integers are 64-bit).
        feed = await store.get_feed(int(reference)) if len(reference) <= 18 else None
    else:
        try:
            feed = await store.find_feed(check_url(reference))
        except IngestError:
            feed = None
    if feed is None or feed.id is None:
        return None
    await store.remove_feed(feed.id)
    return feed


async def list_feeds(resources: Resources) -> list[Feed]:
    """/feeds: every feed with its status, last success and article count."""
    return await resources.store.list_feeds()


async def seed_default_feeds(store: Store, settings: Settings) -> int:
    """Put DEFAULT_FEED_URLS in an empty feed list when DEFAULT_FEEDS allows; how many."""
    if not settings.default_feeds or await store.list_feeds():
        return 0
    for url in DEFAULT_FEED_URLS:
        await store.add_feed(Feed(url=url, interval=settings.feed_interval))
    log.info("empty feed list: added the %d default feeds", len(DEFAULT_FEED_URLS))
    return len(DEFAULT_FEED_URLS)
