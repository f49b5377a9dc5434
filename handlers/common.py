"""Helpers every handler uses: sending long HTML safely, reading command arguments."""

from __future__ import annotations

from telegram import Update

from bot.telegram_text import split_message


async def reply(update: Update, html: str) -> None:
    """Send `html` to the chat of `update`, split into messages Telegram accepts."""
    chat = update.effective_chat
    if chat is None:
        return
    for chunk in split_message(html):
        await chat.send_message(chunk)


def argument_text(update: Update) -> str:
    """Everything after the command word, as typed (spaces kept)."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    return text.partition(" ")[2] if text.startswith("/") else text
