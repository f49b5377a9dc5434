"""The bot's use cases (bot/usecases/news.py) on a real SQLite store."""

from __future__ import annotations

from bot.app import build_application
from bot.config import Settings
from bot.usecases import news


async def test_topic_ids_come_from_the_store_once_then_from_memory(
    bot_settings: Settings,
) -> None:
    """An id is the store's; asked again, it is known without the store (here: closed)."""
    resources = build_application(bot_settings).bot_data
    store = resources.store
    await store.open()
    tax = await news.topic_id(resources, "tax")
    oil = await news.topic_id(resources, "oil prices")
    assert tax != oil
    assert await store.topic_text(tax) == "tax"
    await store.close()
    assert await news.topic_id(resources, "tax") == tax  # a closed store would raise
    await store.open()
    try:
        assert await store.remember_topic("oil prices") == oil
    finally:
        await store.close()
