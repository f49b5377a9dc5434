"""build_application(): the one place where settings, resources and handlers are wired."""

from __future__ import annotations

import asyncio
import logging
import math
import os

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import metrics
from bot.answer_cache import AnswerCache
from bot.config import Settings
from bot.context import NewsApp, NewsContext, Resources
from bot.ingest import load_bundled_sample
from bot.jobs import start_feed_polling
from bot.store import open_store
from bot.summarize import DEFAULT_METHOD, Summarizer
from bot.transport.http import AiohttpRequest
from bot.transport.ratelimit import FleetRateLimiter
from bot.transport.safe_updates import SafeUpdatesRequest
from bot.transport.user_limits import UserRateLimiter
from bot.usecases.digest import start_digests
from bot.usecases.news import SPELLING_SECONDS
from bot.usecases.sources import build_web
from handlers import errors, inline, links, news, replies, start, subscriptions
from handlers import feeds as feed_admin
from handlers import settings as chat_settings

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
# The update types the handler table below handles; polling and the webhook ask for these only.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
# Topic ids remembered in memory (bot.usecases.news.topic_id), a few MB at most.
TOPIC_IDS_KEPT = 10_000


def add_handlers(app: NewsApp) -> None:
    """THE handler table. Order matters: the first matching handler in a group wins."""
    # Group -1 sees every update first: per-user flood control stops the rest.
    # Group -2 first of all: metrics and the log context (chat id, update id) of the update.
    app.add_handler(TypeHandler(Update, metrics.track_update), group=-2)
    app.add_handler(TypeHandler(Update, errors.flood_guard), group=-1)
    app.add_handlers(
        [
            CommandHandler("start", start.start),
            CommandHandler("help", start.help_command),
            CommandHandler("summary", news.summary),
            CommandHandler("latest", news.latest),
            CommandHandler("read", news.read),
            CommandHandler("topics", news.topics),
            CommandHandler("subscribe", subscriptions.subscribe),
            CommandHandler("unsubscribe", subscriptions.unsubscribe),
            CommandHandler("subscriptions", subscriptions.list_subscriptions),
            CommandHandler("digest", subscriptions.digest),
            CommandHandler("settings", chat_settings.settings),
            MessageHandler(filters.StatusUpdate.MIGRATE, subscriptions.chat_migrated),
            # Buttons: callback data is "<kind>:<arg>[:<n>]" (handlers/keyboards.py).
            CallbackQueryHandler(news.topic_button, pattern=r"^(mo|ln):"),
            CallbackQueryHandler(subscriptions.subscribe_button, pattern=r"^sb:"),
            CallbackQueryHandler(subscriptions.unsubscribe_button, pattern=r"^un:"),
            CallbackQueryHandler(chat_settings.settings_button, pattern=r"^st:"),
            CallbackQueryHandler(subscriptions.stale),  # old or forged buttons
            InlineQueryHandler(inline.inline_query),
            # Web sources: admin-only commands (refusal inside the handlers).
            CommandHandler("addfeed", feed_admin.add_feed),
            CommandHandler("removefeed", feed_admin.remove_feed),
            CommandHandler("feeds", feed_admin.list_feeds),
            CommandHandler("ingest", feed_admin.ingest),
            # Fallbacks, after every real command. In groups the bot answers commands
            # only: plain talk and other bots' commands there are not for us.
            MessageHandler(filters.COMMAND & PRIVATE, errors.unknown_command),
            # A message with a link is summarized as a page, before plain text is a topic.
            MessageHandler(links.WITH_LINK & PRIVATE, links.pasted_link),
            MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, news.text_topic),
            MessageHandler(PRIVATE & ~filters.TEXT, errors.not_text),
        ]
    )
    app.add_error_handler(errors.on_error)


async def post_init(app: NewsApp) -> None:
    """Open the store, warm the summarizer, load the sample into an empty store, set the menu."""
    resources = app.bot_data
    await resources.store.open()
    await resources.summarizer.warm()  # the first user's wait, paid now
    if resources.settings.load_sample and await resources.store.count_articles() == 0:
        report = await load_bundled_sample(resources.store)
        log.info("empty store: loaded the bundled sample (%d articles)", report.added)
    await start_feed_polling(app, replies.feed_paused, replies.feed_quiet)
    await start_digests(app)  # repairs missing schedules, registers the digest tick
    await app.bot.set_my_commands([BotCommand(name, about) for name, about in replies.COMMANDS])


async def post_shutdown(app: NewsApp) -> None:
    """Close the web client, the store and the summary processes."""
    await app.bot_data.feeds.web.close()
    await app.bot_data.store.close()
    await asyncio.to_thread(app.bot_data.summarizer.close)


def build_application(settings: Settings, request: BaseRequest | None = None) -> NewsApp:
    """The bot: real PTB Application with our resources and handler table.

    `request` replaces the HTTP layer (the terminal chat and tests use this seam).
    """
    limiter = FleetRateLimiter(overall_rate=settings.fleet_rate, chat_rate=settings.chat_rate)
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
        .rate_limiter(limiter)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    else:  # aiohttp (bot/transport/http.py); one malformed update must not stop polling
        proxy = settings.telegram_proxy
        builder = builder.request(AiohttpRequest(proxy=proxy))
        builder = builder.get_updates_request(SafeUpdatesRequest(1, proxy=proxy))
    app: NewsApp = builder.build()  # type: ignore[assignment]
    resources = app.bot_data
    resources.settings = settings
    resources.store = open_store(settings.database_url, auto_migrate=settings.auto_migrate)
    limiter.share_through(resources.store)  # PostgreSQL: Telegram's limits hold fleet-wide
    resources.feeds = build_web(settings, resources.store)
    resources.limiter = UserRateLimiter(settings.user_rate_per_minute, settings.user_burst)
    resources.summarizer = Summarizer(
        method=settings.summary_method or DEFAULT_METHOD,
        sentences=settings.summary_sentences,
        workers=topic_workers(settings),
    )
    resources.topic_cache = AnswerCache(size=settings.topic_cache)
    resources.topic_ids = AnswerCache(size=TOPIC_IDS_KEPT, ttl=math.inf)
    resources.spelling = AnswerCache(size=1, ttl=SPELLING_SECONDS)
    add_handlers(app)
    return app


def topic_workers(settings: Settings) -> int:
    """SUMMARY_WORKERS, or when unset one process on a machine with two cores or more: the
    bot is bound to one core by Python's lock, and summaries there answered new topics 2.2x
    faster under load (docs/performance.md)."""
    if settings.summary_workers is not None:
        return settings.summary_workers
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def api_base(url: str, *, files: bool = False) -> str:
    """PTB's base URL from TELEGRAM_API_URL, with or without the trailing `/bot`."""
    root = url.removesuffix("/bot").removesuffix("/file")
    return f"{root}/file/bot" if files else f"{root}/bot"
