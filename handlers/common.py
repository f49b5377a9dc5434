"""Helpers every handler uses: sending long HTML safely, arguments, who may change a chat."""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.context import NewsContext
from bot.transport.text import split_message

_CHANGERS = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
_COMMAND = re.compile(r"/\S*\s")  # the command word and the one space (any kind) after it


async def reply(
    update: Update, html: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send `html` to the update's chat, split into messages Telegram accepts.

    The keyboard, if any, goes under the last message, which is returned.
    """
    chat = update.effective_chat
    if chat is None:
        return None
    chunks = split_message(well_formed(html))  # httpx cannot encode a lone surrogate
    last = None
    for number, chunk in enumerate(chunks, start=1):
        last = await chat.send_message(
            chunk, reply_markup=markup if number == len(chunks) else None
        )
    return last


def well_formed(text: str) -> str:
    """`text` with lone UTF-16 surrogates (invalid Unicode a client can send) made "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def argument_text(update: Update) -> str:
    """Everything after the command word, as typed (spaces kept; invalid Unicode made "?")."""
    message = update.effective_message
    text = well_formed(message.text) if message and message.text else ""
    if not text.startswith("/"):
        return text
    after = _COMMAND.match(text)  # "/summary\ntsunami" and "/summary\ttsunami" too
    return text[after.end() :] if after else ""


async def may_change(update: Update, context: NewsContext) -> bool:
    """Anyone changes a private chat's subscriptions; in groups, only administrators."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if message and message.sender_chat and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator: only admins can speak as the group
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _CHANGERS
