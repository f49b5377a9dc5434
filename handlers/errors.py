"""Fallbacks: unknown commands, non-text messages, and the one error handler."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import NewsContext
from bot.errors import StoreError
from handlers import replies
from handlers.common import reply

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: NewsContext) -> None:
    """Any command not in the handler table."""
    message = update.effective_message
    command = (message.text or "").split(maxsplit=1)[0] if message else "/"
    await reply(update, replies.unknown_command(command))


async def not_text(update: Update, context: NewsContext) -> None:
    """A message without text."""
    await reply(update, replies.not_text())


async def on_error(update: object, context: NewsContext) -> None:
    """Log the failure with its traceback and tell the user, politely, once."""
    log.error("handler failed", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = (
        replies.store_unavailable()
        if isinstance(context.error, StoreError)
        else replies.something_went_wrong()
    )
    try:
        await reply(update, text)
    except Exception:  # the chat may be unreachable; the failure is already logged
        log.warning("could not tell the user about the error", exc_info=True)
