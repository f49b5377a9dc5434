"""build_application(): the one place where settings, resources and handlers are wired."""

from __future__ import annotations

import logging

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.context import NewsApp, NewsContext, Resources
from bot.ingest import load_bundled_sample
from bot.store import open_store
from bot.summarize import DEFAULT_METHOD, Summarizer
from handlers import errors, news, replies, start

log = logging.getLogger(__name__)


def add_handlers(app: NewsApp) -> None:
    """THE handler table. Order matters: the first matching handler in a group wins."""
    app.add_handlers(
        [
            CommandHandler("start", start.start),
            CommandHandler("help", start.help_command),
            CommandHandler("summary", news.summary),
            CommandHandler("latest", news.latest),
            CommandHandler("read", news.read),
            CommandHandler("topics", news.topics),
            # Fallbacks, after every real command:
            MessageHandler(filters.COMMAND, errors.unknown_command),
            MessageHandler(filters.TEXT & ~filters.COMMAND, news.text_topic),
            MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, errors.not_text),
        ]
    )
    app.add_error_handler(errors.on_error)


async def post_init(app: NewsApp) -> None:
    """Open the store, load the bundled sample into an empty store, register the menu."""
    resources = app.bot_data
    await resources.store.open()
    if resources.settings.load_sample and await resources.store.count_articles() == 0:
        report = await load_bundled_sample(resources.store)
        log.info("empty store: loaded the bundled sample (%d articles)", report.added)
    await app.bot.set_my_commands([BotCommand(name, about) for name, about in replies.COMMANDS])


async def post_shutdown(app: NewsApp) -> None:
    """Close the store."""
    await app.bot_data.store.close()


def build_application(settings: Settings, request: BaseRequest | None = None) -> NewsApp:
    """The bot: real PTB Application with our resources and handler table.

    `request` replaces the HTTP layer (the terminal chat and tests use this seam).
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token or "0:chat")
        .base_url(api_base(settings.telegram_api_url))
        .base_file_url(api_base(settings.telegram_api_url, files=True))
        .context_types(ContextTypes(context=NewsContext, bot_data=Resources))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    app: NewsApp = builder.build()  # type: ignore[assignment]
    resources = app.bot_data
    resources.settings = settings
    resources.store = open_store(settings.database_url)
    resources.summarizer = Summarizer(
        method=settings.summary_method or DEFAULT_METHOD, sentences=settings.summary_sentences
    )
    add_handlers(app)
    return app


def api_base(url: str, *, files: bool = False) -> str:
    """PTB's base URL from TELEGRAM_API_URL, with or without the trailing `/bot`."""
    root = url.removesuffix("/bot").removesuffix("/file")
    return f"{root}/file/bot" if files else f"{root}/bot"
