"""Typed handler context: handlers reach the store and summarizer as attributes, not dict keys."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.answer_cache import AnswerCache
from bot.config import Settings
from bot.ingest.polling import FeedPoller
from bot.models import TopicSummary
from bot.spelling import Vocabulary
from bot.store import Store
from bot.summarize import Summarizer
from bot.transport.user_limits import UserRateLimiter


class Resources:
    """What the handlers share (the application's bot_data).

    PTB creates it with no arguments; `build_application` fills it in, the store is opened
    in post_init and closed in post_shutdown.
    """

    settings: Settings
    store: Store
    summarizer: Summarizer
    topic_cache: AnswerCache[tuple[str, int, int], TopicSummary]  # (query, skip, sentences)
    topic_ids: AnswerCache[str, int]  # topic text → its store id (bot.usecases.news.topic_id)
    spelling: AnswerCache[str, Vocabulary]  # recent headlines' words (news.did_you_mean)
    limiter: UserRateLimiter
    feeds: FeedPoller  # web ingestion: the fetcher, extractor and feed poller


class NewsContext(
    CallbackContext[ExtBot[None], dict[object, object], dict[object, object], Resources]
):
    """CallbackContext with typed access to the shared resources."""

    @property
    def resources(self) -> Resources:
        """The shared resources (bot_data)."""
        return self.bot_data

    @property
    def store(self) -> Store:
        """The article store."""
        return self.bot_data.store

    @property
    def summarizer(self) -> Summarizer:
        """The summarizer service."""
        return self.bot_data.summarizer

    @property
    def settings(self) -> Settings:
        """The settings the application was built with."""
        return self.bot_data.settings


NewsApp = Application[
    ExtBot[None],
    NewsContext,
    dict[object, object],
    dict[object, object],
    Resources,
    JobQueue[NewsContext],
]
