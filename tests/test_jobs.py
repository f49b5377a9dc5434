"""End to end: the feed-polling job of a running bot, and the admins told about a sick feed."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.models import Feed, utcnow
from bot.store import open_store
from tests.conftest import start_bot, stop_bot
from tests.fakes import FakeBotApi
from tests.ingest.site import STORIES, LocalSite, article_html, rss

ADMIN = 1001


async def _first_admin_message(fake_api: FakeBotApi, settings: Settings, site: LocalSite) -> str:
    """Run the bot (and its feed job) until it tells the admin something; then stop both."""
    app = await start_bot(settings)
    try:
        [message] = await fake_api.replies(ADMIN, 1, within=10)
    finally:
        await stop_bot(app)
        await site.stop()
    return message


async def test_feeds_are_polled_and_a_failing_feed_is_paused_with_a_message(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """The job polls each feed; a feed failing FEED_MAX_FAILURES times is paused, admins told."""
    site = LocalSite()
    await site.start()
    site.add("/news/library", article_html("library"))
    items = [{"title": STORIES["library"][0], "link": site.url("/news/library"), "guid": "urn:l"}]
    site.add("/good.xml", rss(items), content_type="application/rss+xml")
    site.add("/bad.xml", "gone", status=404)
    settings = bot_settings.model_copy(
        update={"admin_ids": str(ADMIN), "allow_private_urls": "127.0.0.0/8",
                "feed_tick_seconds": 1, "feed_max_failures": 1}
    )  # fmt: skip
    store = open_store(settings.database_url)
    await store.open()
    await store.add_feed(Feed(url=site.url("/good.xml")))
    await store.add_feed(Feed(url=site.url("/bad.xml")))
    await store.close()
    message = await _first_admin_message(fake_api, settings, site)
    assert "failed 1 times in a row and is paused" in message and "HTTP 404" in message
    store = open_store(settings.database_url)
    await store.open()
    try:
        feeds = {feed.url: feed for feed in await store.list_feeds()}
        assert feeds[site.url("/bad.xml")].status == "paused"
        assert feeds[site.url("/good.xml")].articles == 1
        [article] = await store.latest(5)
        assert article.title == STORIES["library"][0]
    finally:
        await store.close()
    assert fake_api.rejected == []


async def test_a_feed_that_went_quiet_is_reported_to_the_admins(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """A feed that answers but brought nothing new for FEED_QUIET_DAYS: the admins are told."""
    site = LocalSite()
    await site.start()
    site.add("/frozen.xml", rss([]), content_type="application/rss+xml")
    settings = bot_settings.model_copy(
        update={"admin_ids": str(ADMIN), "allow_private_urls": "127.0.0.0/8",
                "feed_tick_seconds": 1, "feed_quiet_days": 7}
    )  # fmt: skip
    long_ago = utcnow() - timedelta(days=10)  # its last entry, and the last poll, back then
    store = open_store(settings.database_url)
    await store.open()
    feed, _ = await store.add_feed(Feed(url=site.url("/frozen.xml"), title="Frozen Times"))
    assert feed.id is not None
    await store.record_feed_entries(feed.id, [("urn:last", "fp", None)])
    await store.save_feed(replace(feed, last_success=long_ago))
    await store.close()
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE feed_entries SET seen = ?", (long_ago.isoformat(),))
    message = await _first_admin_message(fake_api, settings, site)
    assert "Frozen Times (#1) still answers but has brought nothing new since" in message
    assert "(10 days ago)" in message and "/removefeed 1" in message


async def test_a_poll_longer_than_the_tick_is_left_alone_without_warnings(
    fake_api: FakeBotApi, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Ticks that come while a slow poll runs do nothing: no second poll of the feed, and no
    scheduler warning each second ("maximum number of running instances reached")."""
    site = LocalSite()
    await site.start()
    site.add("/slow.xml", rss([]), content_type="application/rss+xml", delay=3.5)
    settings = bot_settings.model_copy(
        update={"allow_private_urls": "127.0.0.0/8", "feed_tick_seconds": 1}
    )
    store = open_store(settings.database_url)
    await store.open()
    await store.add_feed(Feed(url=site.url("/slow.xml")))
    await store.close()
    app = await start_bot(settings)
    try:
        for _ in range(60):  # the first tick comes after 2 s, then one each second
            await asyncio.sleep(0.1)
            if site.hits("/slow.xml"):
                break
        await asyncio.sleep(3.0)  # three ticks while the feed is still answering
    finally:
        await stop_bot(app)
        await site.stop()
    assert site.hits("/slow.xml") == 1
    assert not [r.getMessage() for r in caplog.records if "running instances" in r.getMessage()]
