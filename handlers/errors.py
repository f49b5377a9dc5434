"""Fallbacks: unknown commands, non-text messages, and the one error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import NewsContext
from bot.errors import StoreError
from handlers import replies
from handlers.common import reply, well_formed

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: NewsContext) -> None:
    """Any command not in the handler table."""
    message = update.effective_message
    command = well_formed(message.text or "/").split(maxsplit=1)[0] if message else "/"
    await reply(update, replies.unknown_command(command))


async def not_text(update: Update, context: NewsContext) -> None:
    """A message without text."""
    await reply(update, replies.not_text())


async def flood_guard(update: object, context: NewsContext) -> None:
    """Runs before every handler: a user over their message allowance is told to slow down."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    verdict = context.resources.limiter.check(update.effective_user.id)
    if verdict == "ok":
        return
    if verdict == "warn":
        if update.callback_query:
            await update.callback_query.answer(replies.slow_down())
        elif update.effective_message and update.effective_chat:
            await reply(update, replies.slow_down())
    raise ApplicationHandlerStop


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
