"""/start (with `sub_<topic>` deep links) and /help: what the bot does and how to ask."""

from __future__ import annotations

from telegram import Update

from bot.context import NewsContext
from bot.usecases import news, subscriptions
from handlers import replies
from handlers.common import reply
from handlers.subscriptions import subscribe_to

DEEP_LINK_PREFIX = "sub_"


async def start(update: Update, context: NewsContext) -> None:
    """/start [sub_<topic>]: greet (or resume a paused chat), or subscribe in one tap."""
    chat = update.effective_chat
    if chat is not None and await subscriptions.resume(context.resources, chat.id):
        await reply(update, replies.welcome_back())
    payload = context.args[0] if context.args else ""
    if payload.startswith(DEEP_LINK_PREFIX) and len(payload) > len(DEEP_LINK_PREFIX):
        words = payload.removeprefix(DEEP_LINK_PREFIX).replace("_", " ").replace("-", " ")
        # Cleaned as /subscribe cleans its topic: no invisible or control characters.
        request = subscriptions.parse_subscription(news.clean_query(words))
        await subscribe_to(update, context, request)
        return
    await reply(update, replies.welcome())


async def help_command(update: Update, context: NewsContext) -> None:
    """/help: list the commands."""
    await reply(update, replies.help_text())
