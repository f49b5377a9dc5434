"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, /digest and their buttons."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.context import NewsContext
from bot.transport.text import clip
from bot.usecases import news, subscriptions
from handlers import keyboards, replies
from handlers.common import argument_text, may_change, reply

CALLBACK_ANSWER_MAX = 200  # answerCallbackQuery text: 0-200 characters (UTF-16 units)


async def subscribe(update: Update, context: NewsContext) -> None:
    """/subscribe <topic> [+must -mustnot ...]: follow a topic."""
    request = subscriptions.parse_subscription(news.clean_query(argument_text(update)))
    # "/subscribe news about Brexit" follows Brexit: a digest searches for every topic word
    await subscribe_to(update, context, replace(request, topic=news.topic_of(request.topic)))


async def subscribe_to(
    update: Update, context: NewsContext, request: subscriptions.SubscriptionRequest
) -> None:
    """Subscribe the chat as asked, after checking the topic and who asks."""
    chat = update.effective_chat
    if chat is None:
        return
    if not request.topic:
        await reply(update, replies.need_subscription_topic())
    elif len(request.topic) > replies.MAX_TOPIC:
        await reply(update, replies.topic_too_long(len(request.topic)))
    elif not news.searchable(request.topic):
        await reply(update, replies.unsearchable_topic(request.topic))
    elif not await may_change(update, context):
        await reply(update, replies.admins_only())
    else:
        done = await subscriptions.subscribe(context.resources, chat.id, request)
        if done is None:
            await reply(update, replies.too_many_subscriptions(subscriptions.MAX_SUBSCRIPTIONS))
        else:
            settings = await context.store.chat_settings(chat.id)
            suggestion = None  # a topic misspelt: followed as asked, the spelling offered
            if not await context.store.search(done.topic, 1):
                suggestion = await news.did_you_mean(context.resources, done.topic)
            await reply(update, replies.subscribed(done, settings, suggestion))


async def subscribe_button(update: Update, context: NewsContext) -> None:
    """The "Subscribe to this topic" button under a topic summary."""
    query = update.callback_query
    callback = keyboards.parse(query.data if query else None)
    ref = keyboards.topic_id(callback)
    topic = await context.store.topic_text(ref) if ref is not None else None
    if query is None or topic is None:
        await stale(update, context)
        return
    await query.answer()
    await subscribe_to(update, context, subscriptions.SubscriptionRequest(topic))


async def list_subscriptions(update: Update, context: NewsContext) -> None:
    """/subscriptions: the chat's topics, each with a remove button."""
    chat = update.effective_chat
    if chat is None:
        return
    found = await context.store.subscriptions(chat.id)
    await reply(update, replies.subscription_list(found), keyboards.subscription_buttons(found))


async def unsubscribe(update: Update, context: NewsContext) -> None:
    """/unsubscribe [topic]: stop following a topic (no argument: pick from buttons)."""
    chat = update.effective_chat
    which = news.clean_query(argument_text(update))
    if chat is None:
        return
    if not await may_change(update, context):
        await reply(update, replies.admins_only())
    elif not which:
        found = await context.store.subscriptions(chat.id)
        text = replies.unsubscribe_which() if found else replies.subscription_list(found)
        await reply(update, text, keyboards.subscription_buttons(found))
    else:
        removed = await subscriptions.unsubscribe(context.resources, chat.id, which)
        text = (
            replies.unsubscribed(removed.topic) if removed else replies.no_such_subscription(which)
        )
        await reply(update, text)


async def unsubscribe_button(update: Update, context: NewsContext) -> None:
    """A remove button of /subscriptions: drop that topic and refresh the list."""
    query, chat = update.callback_query, update.effective_chat
    callback = keyboards.parse(query.data if query else None)
    if query is None or chat is None or callback is None:
        await stale(update, context)
        return
    if not await may_change(update, context):
        await query.answer(replies.admins_only(), show_alert=True)
        return
    removed = await subscriptions.unsubscribe(context.resources, chat.id, callback.arg)
    if removed is None:
        await query.answer(replies.stale_button())
        return
    await query.answer(clip(f"Removed {removed.topic}", CALLBACK_ANSWER_MAX))
    found = await context.store.subscriptions(chat.id)
    await query.edit_message_text(
        replies.subscription_list(found), reply_markup=keyboards.subscription_buttons(found)
    )


async def digest(update: Update, context: NewsContext) -> None:
    """/digest: send my digest now (only stories not sent before)."""
    from bot.usecases.digest.jobs import digest_now

    chat = update.effective_chat
    if chat is None:
        return
    if not await context.store.subscriptions(chat.id):
        await reply(update, replies.subscription_list([]))
        return
    outcome = await digest_now(context.bot, context.resources, chat.id)
    if outcome.status == "busy":
        await reply(update, replies.digest_busy())


async def stale(update: Update, context: NewsContext) -> None:
    """Any button we cannot act on (old, foreign or forged): a polite answer, never an error."""
    if update.callback_query:
        await update.callback_query.answer(replies.stale_button())


async def chat_migrated(update: Update, context: NewsContext) -> None:
    """A group became a supergroup: its subscriptions, settings and delivery log follow it.

    Telegram tells both chats (`migrate_to_chat_id` in the old, `migrate_from_chat_id` in the
    new); whichever comes first moves everything, the other finds nothing left. No reply.
    """
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await subscriptions.move_chat(
            context.resources, message.chat_id, message.migrate_to_chat_id
        )
    elif message.migrate_from_chat_id:
        await subscriptions.move_chat(
            context.resources, message.migrate_from_chat_id, message.chat_id
        )
