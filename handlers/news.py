"""News commands: /summary, plain-text topics, /latest, /read, /topics, and topic buttons."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from bot.context import NewsContext
from bot.transport.text import split_message
from bot.usecases import news
from handlers import keyboards, replies
from handlers.common import argument_text, reply
from handlers.subscriptions import stale

log = logging.getLogger(__name__)
LATEST_DEFAULT, LATEST_MAX = 10, 30


async def summary(update: Update, context: NewsContext) -> None:
    """/summary <topic>: summaries of the most relevant stored articles."""
    await _answer_topic(update, context, argument_text(update))


async def text_topic(update: Update, context: NewsContext) -> None:
    """A plain text message: treated as a topic."""
    await _answer_topic(update, context, argument_text(update))


async def _answer_topic(update: Update, context: NewsContext, raw: str) -> None:
    query = news.topic_of(raw)
    if not query:
        await reply(update, replies.need_topic())
    elif len(query) > replies.MAX_TOPIC:
        await reply(update, replies.topic_too_long(len(query)))
    elif not news.searchable(query):
        await reply(update, replies.unsearchable_topic(query))
    else:
        await _send_topic(update, context, query, skip=0, sentences=news.TOPIC_SENTENCES)


async def _send_topic(
    update: Update,
    context: NewsContext,
    query: str,
    *,
    skip: int,
    sentences: int,
    edit: bool = False,
) -> None:
    """A topic summary with its buttons (More, Shorter/Longer, Subscribe).

    With `edit`, the message holding the pressed button is rewritten when the new text fits
    in one message; otherwise the summary comes as new messages.
    """
    result = await news.summarize_topic(context.resources, query, skip=skip, sentences=sentences)
    if not result.items:
        if skip:
            await reply(update, replies.no_more_stories())
        else:
            nearest = await news.closest(context.resources, query)
            suggestion = await news.did_you_mean(context.resources, query, nearest)
            await reply(update, replies.nothing_found(query, nearest, suggestion))
        return
    topic_id = await news.topic_id(context.resources, query)
    text = replies.topic_summary(result)
    markup = keyboards.topic_buttons(topic_id, skip + result.articles, sentences)
    callback = update.callback_query
    if edit and callback and callback.message and len(split_message(text)) == 1:
        try:
            await callback.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as error:  # too old to edit, or deleted: say it in a new message
            if "not modified" in error.message:
                return
            log.info("could not edit the summary (%s); sending it anew", error.message)
    await reply(update, text, markup)


async def topic_button(update: Update, context: NewsContext) -> None:
    """ "More" and "Shorter"/"Longer" under a topic summary: answer again, as asked."""
    query = update.callback_query
    callback = keyboards.parse(query.data if query else None)
    ref = keyboards.topic_id(callback)
    topic = await context.store.topic_text(ref) if ref is not None else None
    if query is None or callback is None or topic is None or callback.number is None:
        await stale(update, context)
        return
    await query.answer()
    if callback.kind == "mo":
        await _send_topic(update, context, topic, skip=callback.number, sentences=2)
    else:
        sentences = min(max(callback.number, keyboards.MIN_SENTENCES), keyboards.MAX_SENTENCES)
        await _send_topic(update, context, topic, skip=0, sentences=sentences, edit=True)


async def latest(update: Update, context: NewsContext) -> None:
    """/latest [n]: newest headlines."""
    raw = news.clean_query(argument_text(update))
    if raw and not (raw.isascii() and raw.isdigit()):
        await reply(update, replies.bad_count(raw))
        return
    count = min(int(raw[:4]), LATEST_MAX) if raw else LATEST_DEFAULT
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
