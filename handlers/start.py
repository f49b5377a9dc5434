"""/start and /help: what the bot does and how to ask."""

from __future__ import annotations

from telegram import Update

from bot.context import NewsContext
from handlers import replies
from handlers.common import reply


async def start(update: Update, context: NewsContext) -> None:
    """/start: greet and explain."""
    await reply(update, replies.welcome())


async def help_command(update: Update, context: NewsContext) -> None:
    """/help: list the commands."""
    await reply(update, replies.help_text())
