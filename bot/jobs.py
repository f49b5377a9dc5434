"""Scheduled work while the bot runs: polling the feeds, and telling admins about sick ones.

One repeating JobQueue job ticks every FEED_TICK_SECONDS and polls the feeds whose own
next-poll time has come (each feed has its interval, stretched by Cache-Control, Retry-After
and failures). A tick that finds the previous one still running does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from telegram.error import TelegramError

from bot import metrics
from bot.context import NewsApp, NewsContext
from bot.ingest import sitelines
from bot.models import Feed, utcnow
from bot.usecases.sources import seed_default_feeds

log = logging.getLogger(__name__)

JOB_NAME = "feed-poll"
FIRST_TICK_SECONDS = 2.0
SITE_LINES_KEPT = timedelta(days=60)  # a line seen once is forgotten after this long
PRUNE_EVERY = timedelta(hours=6)  # forgetting scans the whole table: not on every tick


class _Ticker:
    """The job's state: a lock so ticks never overlap, and the admin messages' wording."""

    def __init__(
        self, paused_text: Callable[[Feed], str], quiet_text: Callable[[Feed], str]
    ) -> None:
        self.lock = asyncio.Lock()
        self.paused_text, self.quiet_text = paused_text, quiet_text
        self.pruned = utcnow()


async def poll_feeds(context: NewsContext) -> None:
    """JobQueue callback: poll the due feeds, tell the admins about feeds just paused."""
    ticker = context.job.data if context.job else None
    if not isinstance(ticker, _Ticker) or ticker.lock.locked():
        return
    async with ticker.lock:
        reports = await context.resources.feeds.poll_due()
        metrics.FEED_ERRORS.inc(sum(1 for report in reports if report.error))
        for report in reports:
            if report.paused:
                await tell_admins(context, ticker.paused_text(report.feed))
            if report.went_quiet:
                await tell_admins(context, ticker.quiet_text(report.feed))
        if utcnow() - ticker.pruned > PRUNE_EVERY:
            ticker.pruned = utcnow()
            await context.store.prune_site_lines(
                ticker.pruned - SITE_LINES_KEPT, sitelines.MIN_ARTICLES
            )
        added = sum(report.count("added") for report in reports)
        if added:
            log.info("feed poll: %d new articles from %d feeds", added, len(reports))


async def tell_admins(context: NewsContext, text: str) -> None:
    """Send `text` (HTML) to every admin in ADMIN_IDS."""
    for admin in sorted(context.settings.admins):
        try:
            await context.bot.send_message(admin, text)
        except TelegramError as exc:  # an admin who never started the bot cannot be told
            log.warning("could not tell admin %d about a feed: %s", admin, exc)


async def start_feed_polling(
    app: NewsApp, paused_text: Callable[[Feed], str], quiet_text: Callable[[Feed], str]
) -> bool:
    """Seed the default feeds and register the polling job (post_init, after store.open).

    `paused_text` and `quiet_text` word the admins' messages about a feed paused after its
    failures and about one that went quiet (handlers/replies.py).

    Only a bot that polls Telegram polls feeds: `newsbot chat` (no updater) does not.
    FEED_TICK_SECONDS=0 turns polling off.
    """
    resources, settings = app.bot_data, app.bot_data.settings
    if app.job_queue is None or app.updater is None or settings.feed_tick_seconds <= 0:
        return False
    await seed_default_feeds(resources.store, settings)
    app.job_queue.run_repeating(
        poll_feeds,
        interval=settings.feed_tick_seconds,
        first=FIRST_TICK_SECONDS,
        data=_Ticker(paused_text, quiet_text),
        name=JOB_NAME,
        # A tick during a poll finds the ticker's lock taken and returns. Left to the
        # scheduler (one instance), it was skipped with a warning each tick of a long poll.
        job_kwargs={"max_instances": 2},
    )
    return True
