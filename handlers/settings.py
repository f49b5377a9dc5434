"""/settings: summary length, digest frequency, time and zone, quiet hours, muted sources."""

from __future__ import annotations

from telegram import Update

from bot.context import NewsContext
from bot.models import ChatSettings
from bot.usecases import news, subscriptions
from handlers import keyboards, replies
from handlers.common import argument_text, may_change, reply
from handlers.subscriptions import stale

MUTABLE_SOURCES = 6  # how many of the largest sources get a mute button


async def _sources(context: NewsContext, settings: ChatSettings) -> list[str]:
    """Sources offered for muting: the largest ones, and every source already muted."""
    counts = await context.store.source_counts(MUTABLE_SOURCES)
    names = [c.label for c in counts if c.label]
    return names + [s for s in settings.muted_sources if s not in names]


async def settings(update: Update, context: NewsContext) -> None:
    """/settings [tz <Area/City>]: show the settings keyboard, or set the time zone."""
    chat = update.effective_chat
    if chat is None:
        return
    current = await context.store.chat_settings(chat.id)
    key, _, value = news.clean_query(argument_text(update)).partition(" ")
    if key.casefold() == "tz" and value:
        if not await may_change(update, context):
            await reply(update, replies.admins_only())
            return
        zone = subscriptions.valid_timezone(value.strip())
        if zone is None:
            await reply(update, replies.bad_timezone(value))
            return
        current = subscriptions.change_setting(current, "tz", zone) or current
        await subscriptions.reschedule(context.resources, current)
    sources = await _sources(context, current)
    await reply(
        update, replies.settings_text(current), keyboards.settings_buttons(current, sources)
    )


async def settings_button(update: Update, context: NewsContext) -> None:
    """A settings keyboard button: change that option and redraw the keyboard."""
    query, chat = update.callback_query, update.effective_chat
    callback = keyboards.parse(query.data if query else None)
    if query is None or chat is None or callback is None or "/" not in callback.arg:
        await stale(update, context)
        return
    if not await may_change(update, context):
        await query.answer(replies.admins_only(), show_alert=True)
        return
    current = await context.store.chat_settings(chat.id)
    key, _, value = callback.arg.partition("/")
    sources = await _sources(context, current)
    if key == "mute":
        source = keyboards.source_for_key(value, sources)
        changed = subscriptions.toggle_muted(current, source) if source else None
    else:
        changed = subscriptions.change_setting(current, key, value)
    if changed is None:
        await stale(update, context)
        return
    await subscriptions.reschedule(context.resources, changed)
    await query.answer(replies.saved())
    if changed != current:
        await query.edit_message_text(
            replies.settings_text(changed),
            reply_markup=keyboards.settings_buttons(changed, await _sources(context, changed)),
        )
