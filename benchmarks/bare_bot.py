"""The floor the bot is measured against: a bare python-telegram-bot bot with a fixed answer.

Run (as benchmarks/e2e_load.py --baseline does):
    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:PORT python benchmarks/bare_bot.py

What a bot costs before it does anything of its own: PTB's `Application` polling with
concurrent updates, over the same aiohttp transport as newsbot (bot/transport/http.py), one
`CommandHandler` per command, each answering one fixed message. No store, no summaries, no
rate limits, no HTML parse mode. Whatever newsbot spends beyond this per command is its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.transport.http import AiohttpRequest

ANSWER = "Fixed answer: a bare bot does nothing else."


async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the fixed answer."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(ANSWER)


def build() -> Application:  # type: ignore[type-arg]
    """The bare bot against TELEGRAM_API_URL (no trailing /bot)."""
    base = os.environ["TELEGRAM_API_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(True)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(1))
        .build()
    )
    app.add_handler(CommandHandler(["start", "summary"], answer))
    return app


if __name__ == "__main__":
    build().run_polling(poll_interval=0.0, timeout=10)
