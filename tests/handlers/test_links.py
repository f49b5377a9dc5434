"""End to end: a user pastes a link and gets the page's summary (fake Bot API, local site)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.store import open_store
from tests.conftest import start_bot, stop_bot
from tests.fakes import FakeBotApi
from tests.ingest.site import STORIES, LocalSite, article_html


@pytest.fixture
async def site() -> AsyncIterator[LocalSite]:
    """A local news site on 127.0.0.1."""
    local = LocalSite()
    await local.start()
    yield local
    await local.stop()


@pytest.fixture
def link_settings(bot_settings: Settings) -> Settings:
    """The bot may fetch from loopback (the local site); nobody is an admin."""
    return bot_settings.model_copy(update={"allow_private_urls": "127.0.0.0/8"})


async def test_a_pasted_link_is_summarized_and_stored(
    fake_api: FakeBotApi, link_settings: Settings, site: LocalSite
) -> None:
    """Any user sends a link; the answer is the page's summary, and the article is stored."""
    url = site.add("/news/orchard", article_html("orchard"))
    app = await start_bot(link_settings)
    try:
        await fake_api.send_text(f"Have you seen this? {url}?utm_source=chat.")
        [answer] = await fake_api.replies(1001, 1)
        await fake_api.send_text(url)
        [_, again] = await fake_api.replies(1001, 2)
    finally:
        await stop_bot(app)
    assert STORIES["orchard"][0] in answer
    assert STORIES["orchard"][1][0][:60] in answer
    assert "Local Gazette" in answer and "/read 1" in answer
    assert again == answer and len(site.requests) == 1  # the second time: from the store
    store = open_store(link_settings.database_url)
    await store.open()
    try:
        assert await store.count_articles() == 1
    finally:
        await store.close()
    assert fake_api.rejected == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/missing", "HTTP 404"), ("/redirect", "refused"), ("/stub", "too short")],
)
async def test_an_unreadable_link_gets_a_reason(
    fake_api: FakeBotApi, link_settings: Settings, site: LocalSite, path: str, expected: str
) -> None:
    """A 404, a redirect into a private network, a stub: a short answer saying why."""
    site.add("/redirect", "", status=302, headers={"Location": "http://10.0.0.1/"})
    site.add("/stub", "<html><body><p>Tiny page.</p></body></html>")
    app = await start_bot(link_settings)
    try:
        await fake_api.send_text(site.url(path))
        [answer] = await fake_api.replies(1001, 1)
    finally:
        await stop_bot(app)
    assert "couldn't read an article" in answer and expected in answer
    assert fake_api.rejected == []


async def test_a_latin1_page_labelled_utf8_is_read_as_written(
    fake_api: FakeBotApi, link_settings: Settings, site: LocalSite
) -> None:
    """Detectors guessed a Baltic code page (cp775): "crème brûlée" was stored garbled."""
    page = article_html("harbour").replace(" the ", " the crème brûlée à côté ", 3)
    url = site.add("/news/cafe", page.encode("latin-1"), content_type="text/html; charset=utf-8")
    app = await start_bot(link_settings)
    try:
        await fake_api.send_text(url)
        [answer] = await fake_api.replies(1001, 1)
    finally:
        await stop_bot(app)
    assert "the crème brûlée à côté" in answer, answer
