"""End to end: the admin commands /addfeed, /feeds, /ingest, /removefeed (fake Bot API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from tests.conftest import start_bot, stop_bot
from tests.fakes import FakeBotApi
from tests.ingest.site import STORIES, LocalSite, article_html, rss

ADMIN, USER = 1001, 2002


@pytest.fixture
async def site() -> AsyncIterator[LocalSite]:
    """A local news site with a home page that announces its feed."""
    local = LocalSite()
    await local.start()
    local.add("/news/comet", article_html("comet"))
    items = [{"title": STORIES["comet"][0], "link": local.url("/news/comet"), "description": "…"}]
    local.add("/rss.xml", rss(items), content_type="application/rss+xml")
    local.add("/", "<html><head><link rel='alternate' type='application/rss+xml' "
                   "href='/rss.xml'></head><body>Home</body></html>")  # fmt: skip
    yield local
    await local.stop()


@pytest.fixture
def admin_settings(bot_settings: Settings) -> Settings:
    """User 1001 is an admin; the bot may fetch from loopback; no background polling."""
    return bot_settings.model_copy(
        update={"admin_ids": str(ADMIN), "allow_private_urls": "127.0.0.0/8",
                "feed_tick_seconds": 0}
    )  # fmt: skip


@pytest.mark.parametrize("command", ["/addfeed", "/removefeed 1", "/feeds", "/ingest"])
async def test_non_admins_are_refused_politely(
    fake_api: FakeBotApi, admin_settings: Settings, site: LocalSite, command: str
) -> None:
    """Anyone not in ADMIN_IDS gets a polite refusal, and nothing is fetched."""
    app = await start_bot(admin_settings)
    try:
        await fake_api.send_text(f"{command} {site.url('/')}", chat_id=USER, user_id=USER)
        [answer] = await fake_api.replies(USER, 1)
    finally:
        await stop_bot(app)
    assert "only the bot's administrators" in answer
    assert site.requests == []


async def test_admin_adds_lists_ingests_and_removes(
    fake_api: FakeBotApi, admin_settings: Settings, site: LocalSite
) -> None:
    """/addfeed finds the feed of a home page; /feeds lists it; /ingest stores one page."""
    app = await start_bot(admin_settings)
    try:
        for n, text in enumerate(
            [f"/addfeed {site.url('/')}", "/feeds", f"/ingest {site.url('/news/comet')}",
             f"/ingest {site.url('/news/comet')}", "/removefeed 1", "/removefeed 1", "/addfeed"],
            start=1,
        ):  # fmt: skip
            await fake_api.send_text(text, chat_id=ADMIN, user_id=ADMIN)
            answers = await fake_api.replies(ADMIN, n)
    finally:
        await stop_bot(app)
    added, listed, stored, again, removed, unknown, missing = answers
    assert "Added Local Gazette" in added and "every 15 minutes" in added
    assert "#1" in listed and "active" in listed and "last success never" in listed
    assert "no entries yet" in listed
    assert stored.startswith("Stored as a new article.") and "/read 1" in stored
    assert again.startswith("Already stored.")
    assert "Removed" in removed and "No feed" in unknown
    assert "Which address?" in missing
    assert fake_api.rejected == []
