"""Inline mode: `@bot <topic>` in any chat offers story summaries to post."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.context import NewsContext
from bot.models import ArticleSummary
from bot.usecases import news
from handlers import replies

MAX_RESULTS = 10


def _result(item: ArticleSummary) -> InlineQueryResultArticle:
    article = item.article
    return InlineQueryResultArticle(
        id=str(article.id),
        title=article.title[:200] or "Untitled",
        description=(" ".join(item.sentences) or article.source)[:200],
        input_message_content=InputTextMessageContent(replies.article_summary_within(item)),
    )


async def inline_query(update: Update, context: NewsContext) -> None:
    """Up to ten story summaries for the typed topic (empty: the latest stories)."""
    inline = update.inline_query
    if inline is None:
        return
    query = news.topic_of(inline.query)[: replies.MAX_TOPIC]
    items = await news.inline_stories(context.resources, query, MAX_RESULTS)
    await inline.answer([_result(i) for i in items if i.article.id is not None], cache_time=60)
