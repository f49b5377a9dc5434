"""Admin commands for web sources: /addfeed, /removefeed, /feeds, /ingest <url>.

Only users in ADMIN_IDS may use them; everyone else gets a polite refusal.
"""

from __future__ import annotations

from telegram import Update

from bot.context import NewsContext
from bot.errors import IngestError
from bot.usecases import news, sources
from handlers import replies
from handlers.common import argument_text, reply


async def _admin(update: Update, context: NewsContext) -> bool:
    """Whether the sender is an admin; refuses politely when not."""
    user = update.effective_user
    if sources.is_admin(context.settings, user.id if user else None):
        return True
    await reply(update, replies.not_admin())
    return False


async def add_feed(update: Update, context: NewsContext) -> None:
    """/addfeed <url>: add a feed, or the feed a site's page links to."""
    if not await _admin(update, context):
        return
    url = news.clean_query(argument_text(update))
    if not url:
        await reply(update, replies.need_url("addfeed"))
        return
    try:
        feed, created = await sources.add_feed(context.resources, url)
    except IngestError as exc:
        await reply(update, replies.feed_not_added(url, str(exc)))
        return
    await reply(update, replies.feed_added(feed, created))


async def remove_feed(update: Update, context: NewsContext) -> None:
    """/removefeed <id or url>: stop polling a feed."""
    if not await _admin(update, context):
        return
    reference = news.clean_query(argument_text(update))
    if not reference:
        await reply(update, replies.need_url("removefeed"))
        return
    feed = await sources.remove_feed(context.resources, reference)
    text = replies.feed_removed(feed) if feed else replies.no_such_feed(reference)
    await reply(update, text)


async def list_feeds(update: Update, context: NewsContext) -> None:
    """/feeds: every feed with its status, last success and article count."""
    if not await _admin(update, context):
        return
    await reply(update, replies.feeds_list(await sources.list_feeds(context.resources)))


async def ingest(update: Update, context: NewsContext) -> None:
    """/ingest <url>: fetch one page now and store its article."""
    if not await _admin(update, context):
        return
    url = news.clean_query(argument_text(update))
    if not url:
        await reply(update, replies.need_url("ingest"))
        return
    outcome = await sources.ingest_page(context.resources, url)
    await reply(
        update, replies.page_ingested(outcome.status, outcome.article_id, url, outcome.reason)
    )
