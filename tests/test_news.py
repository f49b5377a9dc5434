"""The bot's use cases (bot/usecases/news.py) on a real SQLite store."""

from __future__ import annotations

import asyncio

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


async def test_a_topic_answer_is_fresh_for_a_bounded_time(bot_settings: Settings) -> None:
    """Another process's new article shows after TOPIC_FRESH_SECONDS, this process's at once.

    Within the bound the cached answer is served without asking the store anything (here
    proved by a closed store).
    """
    from bot.models import Article
    from bot.store import open_store

    settings = bot_settings.model_copy(update={"topic_fresh_seconds": 3600.0})
    resources = build_application(settings).bot_data
    store = resources.store
    await store.open()
    try:
        await store.add_article(Article("Dam opens", "The new dam opened on Monday. It is big."))
        first = await news.summarize_topic(resources, "dam")
        version = await store.articles_version()  # a new topic's search read it: cached under it
        assert resources.topic_cache.get(("dam", 0, news.TOPIC_SENTENCES), version) == first
        other = open_store(settings.database_url)  # another process, say `newsbot ingest`
        await other.open()
        await other.add_article(Article("Dam leaks", "The new dam leaked on Tuesday. Water ran."))
        await other.close()
        await store.close()
        assert await news.summarize_topic(resources, "dam") == first  # no store needed
        await store.open()
        resources.settings = settings.model_copy(update={"topic_fresh_seconds": 0.0})
        assert (await news.summarize_topic(resources, "dam")).articles == 2  # asks: sees it
        resources.settings = settings
        await store.add_article(Article("Dam shut", "The new dam shut on Friday. Fish swam."))
        assert (await news.summarize_topic(resources, "dam")).articles == 3  # ours: at once
    finally:
        await store.close()


async def test_a_new_topic_id_is_found_while_its_summary_is_chosen(bot_settings: Settings) -> None:
    """The answer's buttons need the topic's id: it is looked up (a store write for a new
    topic) as soon as the search found articles, so it is known when the summary is done;
    a query that finds nothing never gets one (junk input writes nothing)."""
    from bot.models import Article

    resources = build_application(bot_settings).bot_data
    store = resources.store
    await store.open()
    try:
        await store.add_article(Article("Dam opens", "The new dam opened on Monday. It is big."))
        assert not (await news.summarize_topic(resources, "zebra")).items
        assert (await news.summarize_topic(resources, "dam")).items
        for _ in range(500):  # the id's write runs beside the summary; wait for it, briefly
            if resources.topic_ids.get("dam", "") is not None:
                break
            await asyncio.sleep(0.01)
        dam = resources.topic_ids.get("dam", "")
        assert dam is not None and await store.topic_text(dam) == "dam"
        assert resources.topic_ids.get("zebra", "") is None
    finally:
        await store.close()
    assert await news.topic_id(resources, "dam") == dam  # known: the closed store is not asked


def test_the_topic_is_taken_out_of_a_question() -> None:
    """A question's frame is not searched ("going" is no topic word); a topic that only looks
    like one ("Fox News", "USA Today"), or a question with no topic left, is kept whole."""
    asked = {
        "what is going on with the economy?": "the economy",
        "What's happening in Iraq": "Iraq",
        "what happened with Chrysler bankruptcy?": "Chrysler bankruptcy",
        "What has happened to General Motors": "General Motors",
        "what's the latest on the tsunami?": "the tsunami",
        "что случилось с Боингом?": "Боингом",
        "any news on Brexit?": "Brexit",
        "tell me about tsunami aid": "tsunami aid",
        "latest on the World Cup!": "the World Cup",
        "News about Obama": "Obama",
        "oil prices lately?": "oil prices",
        "что нового в Венесуэле?": "Венесуэле",
        "новости о выборах": "выборах",
        "Новости спорта": "спорта",
        "Brexit news?": "Brexit",
        "Путин новости": "Путин",
        "fake news": "fake news",
        "BBC News": "BBC News",
        "РИА Новости": "РИА Новости",
        "关于台湾的新闻": "台湾",
        "台湾的最新消息": "台湾",
        "關於臺灣的新聞": "臺灣",  # traditional characters
        "climate change": "climate change",
        "Fox News": "Fox News",
        "USA Today": "USA Today",
        "Tell me about it": "Tell me about it",
        "what is going on with": "what is going on with",
        "what happened to": "what happened to",
        "???": "???",
    }
    assert {text: news.topic_of(text) for text in asked} == asked
