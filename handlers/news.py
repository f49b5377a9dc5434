"""News commands: /summary, plain-text topics, /latest, /read, /topics."""

from __future__ import annotations

from telegram import Update

from bot import news
from bot.context import NewsContext
from handlers import replies
from handlers.common import argument_text, reply

LATEST_DEFAULT, LATEST_MAX = 10, 30


async def summary(update: Update, context: NewsContext) -> None:
    """/summary <topic>: summaries of the most relevant stored articles."""
    await _answer_topic(update, context, argument_text(update))


async def text_topic(update: Update, context: NewsContext) -> None:
    """A plain text message: treated as a topic."""
    await _answer_topic(update, context, argument_text(update))


async def _answer_topic(update: Update, context: NewsContext, raw: str) -> None:
    query = news.clean_query(raw)
    if not query:
        await reply(update, replies.need_topic())
    elif len(query) > replies.MAX_TOPIC:
        await reply(update, replies.topic_too_long(len(query)))
    else:
        result = await news.summarize_topic(context.resources, query)
        text = replies.topic_summary(result) if result.items else replies.nothing_found(query)
        await reply(update, text)


async def latest(update: Update, context: NewsContext) -> None:
    """/latest [n]: newest headlines."""
    raw = news.clean_query(argument_text(update))
    if raw and not raw.isdigit():
        await reply(update, replies.bad_count(raw))
        return
    count = min(int(raw), LATEST_MAX) if raw else LATEST_DEFAULT
    await reply(update, replies.latest(await news.latest(context.resources, max(count, 1))))


async def read(update: Update, context: NewsContext) -> None:
    """/read <id>: one article's summary."""
    raw = news.clean_query(argument_text(update))
    if not raw:
        await reply(update, replies.need_article_id())
    elif not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        await reply(update, replies.bad_article_id(raw))
    else:
        result = await news.summarize_article(context.resources, int(raw))
        text = replies.full_article(result) if result else replies.no_such_article(int(raw))
        await reply(update, text)


async def topics(update: Update, context: NewsContext) -> None:
    """/topics: sources and frequent topics with counts."""
    await reply(update, replies.topics(*await news.coverage(context.resources)))
