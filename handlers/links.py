"""A message with a link, from anyone: fetch the page, summarize it, store it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.context import NewsContext
from bot.ingest.urls import find_url
from bot.usecases import sources
from handlers import replies
from handlers.common import argument_text, reply

# Text messages (not commands) that carry an http(s) link; in the handler table this comes
# before the plain-text topic handler.
WITH_LINK = filters.TEXT & ~filters.COMMAND & filters.Regex(r"(?i)https?://\S")


async def pasted_link(update: Update, context: NewsContext) -> None:
    """A message with a link: the summary of the page it points to."""
    url = find_url(argument_text(update))
    if url is None:
        return
    answer = await sources.summarize_link(context.resources, url)
    if answer.summary is None:
        await reply(update, replies.link_unreadable(url, answer.outcome.reason))
    else:
        await reply(update, replies.link_summary(answer.summary))
