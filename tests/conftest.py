"""Shared fixtures: settings on a temporary database, the fake Bot API, a running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.context import NewsApp
from bot.models import Article
from bot.store import Store, open_store
from tests.fakes import TOKEN, FakeBotApi

# In CI the property tests try the same examples on every run, so a run cannot turn red by
# chance (CI=true, as .ci/run is called); elsewhere every run tries new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def make_article(title: str, text: str, **fields: object) -> Article:
    """An Article with test defaults."""
    values: dict[str, object] = {"source": "Test Wire", "language": "en", **fields}
    return Article(title=title, text=text, **values)  # type: ignore[arg-type]


def child_processes() -> set[int]:
    """Live child processes of this one (Linux), but multiprocessing's resource tracker,
    which stays for the process's lifetime once anything was spawned."""
    found: set[int] = set()
    for children in Path("/proc/self/task").glob("*/children"):
        found |= {int(pid) for pid in children.read_text().split()}
    alive = set()
    for pid in found:
        try:
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                alive.add(pid)
        except OSError:  # gone meanwhile
            continue
    return alive


@pytest.fixture(autouse=True)
def _no_default_feeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never poll the built-in public feeds: nothing in a test may reach the internet.

    Topic summaries run on a thread (SUMMARY_WORKERS=0): a worker process costs each bot a
    test starts about two seconds; tests/test_app.py runs the bot with one, as deployed."""
    monkeypatch.setenv("DEFAULT_FEEDS", "false")
    monkeypatch.setenv("SUMMARY_WORKERS", "0")


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
    # Every request the bot made in the test conformed to the Bot API (tests/botapi_spec.py).
    assert not api.violations, api.violations


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


# Messages a second to one chat in tests: Telegram's one a second would make every test of a
# conversation wait a second per reply. tests/reliability/test_flood.py sets the default back.
TEST_CHAT_RATE = 50.0


@pytest.fixture
def bot_settings(fake_api: FakeBotApi, db_url: str) -> Settings:
    """Settings that point the bot at the fake Bot API."""
    return load_settings(
        None,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake_api.url,
        database_url=db_url,
        load_sample=False,
        chat_rate=TEST_CHAT_RATE,
    )


NEWS = [
    make_article(
        "Tsunami warning lifted after coastal quake",
        "A tsunami warning for the northern coast was lifted on Monday after a strong quake.\n"
        "Officials said waves of up to half a metre reached two harbours.\n"
        "No damage was reported, and schools will reopen on Tuesday.",
        url="https://example.org/tsunami",
    ),
    make_article(
        "Football final ends in penalties",
        "The football cup final ended in a penalty shoot-out on Saturday night.\n"
        "The home side won after the goalkeeper saved two penalties.\n"
        "Fans celebrated in the streets until the morning.",
        source="Sport Daily",
    ),
    make_article(
        "Football transfer record broken",
        "A football club paid a record transfer fee for a young striker on Friday.\n"
        "The transfer was confirmed after a medical examination.",
        source="Sport Daily",
    ),
]


async def seed(settings: Settings, articles: list[Article] | None = None) -> None:
    """Store `articles` (default: NEWS) in the settings' database."""
    opened = open_store(settings.database_url)
    await opened.open()
    for article in NEWS if articles is None else articles:
        await opened.add_article(article)
    await opened.close()


@pytest.fixture
async def bot(fake_api: FakeBotApi, bot_settings: Settings) -> AsyncIterator[FakeBotApi]:
    """A running bot over the NEWS articles; the test talks to it through the fake API."""
    await seed(bot_settings)
    app = await start_bot(bot_settings)
    yield fake_api
    await stop_bot(app)
