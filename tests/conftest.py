"""Shared fixtures: settings on a temporary database, the fake Bot API, a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.context import NewsApp
from bot.models import Article
from bot.store import Store, open_store
from tests.fakes import TOKEN, FakeBotApi


def make_article(title: str, text: str, **fields: object) -> Article:
    """An Article with test defaults."""
    values: dict[str, object] = {"source": "Test Wire", "language": "en", **fields}
    return Article(title=title, text=text, **values)  # type: ignore[arg-type]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for this test."""
    return f"sqlite:///{tmp_path / 'news.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings for a test: temporary database, no bundled sample, no .env file."""
    return load_settings(None, database_url=db_url, load_sample=False, log_level="DEBUG")


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    """An opened store on a fresh database."""
    opened = open_store(db_url)
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API, listening on 127.0.0.1."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


async def start_bot(settings: Settings) -> NewsApp:
    """Build and start the real application, polling the fake Bot API."""
    app = build_application(settings)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    return app


async def stop_bot(app: NewsApp) -> None:
    """Stop polling and shut the application down as `run_polling` would."""
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_shutdown:
        await app.post_shutdown(app)
    await app.shutdown()


@pytest.fixture
def bot_settings(fake_api: FakeBotApi, db_url: str) -> Settings:
    """Settings that point the bot at the fake Bot API."""
    return load_settings(
        None,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake_api.url,
        database_url=db_url,
        load_sample=False,
    )
