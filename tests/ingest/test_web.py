"""Tests for `bot.ingest.web` and `bot.ingest.pipeline`: pages into the store, deduplicated.

Real HTTP against the local site; a real SQLite store.
"""

from __future__ import annotations

import pytest

from bot.ingest.fetch import Fetcher
from bot.ingest.pages import NotAnArticle
from bot.ingest.polling import FeedPoller
from bot.ingest.web import Extractor
from bot.store import Store
from bot.summarize.document import split_once
from bot.summarize.tokenizer import make_tokenizer
from tests.ingest.site import STORIES, LocalSite, article_html


async def test_a_page_is_stored_clean_with_its_metadata(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Title, paragraphs, site name and a URL without trackers; the article starts a story."""
    site.add("/news/harbour", article_html("harbour"))
    outcome = await poller.web.ingest_url(site.url("/news/harbour?utm_source=rss#top"))
    assert outcome.status == "added" and outcome.story_id is not None
    article = await store.get_article(outcome.article_id or 0)
    assert article is not None
    assert article.title == STORIES["harbour"][0]
    assert article.text.split("\n") == STORIES["harbour"][1]
    assert article.source == "Local Gazette"
    assert article.url == site.url("/news/harbour")
    assert article.story_id == outcome.story_id
    tokenizer = make_tokenizer(article.language)
    assert article.sentence_spans == split_once(article.text, tokenizer)  # split once, here


async def test_tracking_and_canonical_urls_find_the_stored_article(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """The same article by a tracking URL or by an AMP copy (canonical URL) is not stored twice."""
    site.add("/news/harbour", article_html("harbour"))
    site.add("/amp/harbour", article_html("harbour", canonical=site.url("/news/harbour")))
    first = await poller.web.ingest_url(site.url("/news/harbour"))
    tracked = await poller.web.ingest_url(site.url("/news/harbour?fbclid=abc&utm_medium=x"))
    amp = await poller.web.ingest_url(site.url("/amp/harbour"))
    assert first.status == "added"
    assert (tracked.status, tracked.article_id) == ("duplicate", first.article_id)
    assert (amp.status, amp.article_id) == ("duplicate", first.article_id)
    assert await store.count_articles() == 1
    assert site.hits("/news/harbour?fbclid=abc&utm_medium=x") == 1  # fetched, then matched


async def test_a_shared_canonical_url_does_not_merge_different_articles(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """A page claiming another article's canonical URL but telling another story is stored."""
    site.add("/news/harbour", article_html("harbour"))
    site.add("/news/orchard", article_html("orchard", canonical=site.url("/news/harbour")))
    await poller.web.ingest_url(site.url("/news/harbour"))
    other = await poller.web.ingest_url(site.url("/news/orchard"))
    assert other.status == "added"
    assert await store.count_articles() == 2


async def test_a_changed_body_updates_the_article_in_place(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Same URL, revised text: the same article id, the new text."""
    site.add("/news/comet", article_html("comet"))
    first = await poller.web.ingest_url(site.url("/news/comet"))
    correction = ("Correction: the telescope was bought new, not second-hand.",)
    site.add("/news/comet", article_html("comet", extra=correction))
    second = await poller.web.ingest_url(site.url("/news/comet"))
    assert second.status == "updated" and second.article_id == first.article_id
    article = await store.get_article(first.article_id or 0)
    assert article is not None and article.text.endswith(correction[0])
    assert second.story_id == first.story_id


async def test_near_duplicates_from_two_sites_are_one_story_with_two_sources(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """A lightly edited copy on another site is stored and joins the first one's story."""
    site.add("/news/harbour", article_html("harbour"))
    edited = ("The city said a full traffic study would be published next month.",)
    site.add("/wire/harbour", article_html("harbour", site_name="Wire Service", extra=edited))
    first = await poller.web.ingest_url(site.url("/news/harbour"))
    copy = await poller.web.ingest_url(site.url("/wire/harbour").replace("127.0.0.1", "localhost"))
    assert first.status == copy.status == "added"
    assert copy.story_id == first.story_id and copy.article_id != first.article_id
    sources = await store.story_sources(first.story_id or 0)
    assert [s.source for s in sources] == ["Local Gazette", "Wire Service"]


async def test_an_identical_copy_elsewhere_is_a_source_not_an_article(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """The same body at another URL: no second article, but the story gains a source."""
    site.add("/a/library", article_html("library"))
    site.add("/b/library", article_html("library"))
    first = await poller.web.ingest_url(site.url("/a/library"))
    copy = await poller.web.ingest_url(site.url("/b/library"))
    assert copy.status == "duplicate" and copy.article_id == first.article_id
    sources = await store.story_sources(first.story_id or 0)
    assert {s.url for s in sources} == {site.url("/a/library"), site.url("/b/library")}
    assert await store.count_articles() == 1


async def test_pages_that_are_not_articles_are_not_stored(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """A soft 404, a paywall stub, a real 404 and a feed: reasons given, nothing stored."""
    site.add("/gone", "<html><head><title>Page not found</title></head><body><p>Oops.</p></body>")
    stub = "<p>This article is for subscribers only.</p><p>Subscribe to continue reading.</p>"
    site.add("/paid", f"<html><head><title>Story</title></head><body>{stub}</body></html>")
    site.add("/feed", "<rss version='2.0'><channel/></rss>", content_type="application/rss+xml")
    gone = await poller.web.ingest_url(site.url("/gone"))
    paid = await poller.web.ingest_url(site.url("/paid"))
    missing = await poller.web.ingest_url(site.url("/missing"))
    feed = await poller.web.ingest_url(site.url("/feed"))
    assert (gone.status, paid.status, missing.status) == ("skipped", "skipped", "failed")
    assert "error page" in (gone.reason or "") and "paywall" in (paid.reason or "")
    assert missing.reason == "HTTP 404" and "feed" in (feed.reason or "")
    assert await store.count_articles() == 0


async def test_lines_repeated_across_a_sites_articles_are_learned_and_dropped(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """From the third article on, a line every article of the site carries is dropped."""
    promo = ("The Gazette newsroom is open to visitors every first Saturday of the month.",)
    for key in STORIES:
        site.add(f"/n/{key}", article_html(key, furniture=promo))
    texts = []
    for key in STORIES:
        outcome = await poller.web.ingest_url(site.url(f"/n/{key}"))
        article = await store.get_article(outcome.article_id or 0)
        assert article is not None
        texts.append(article.text)
    assert [promo[0] in text for text in texts] == [True, True, False, False]
    assert texts[3].split("\n") == STORIES["comet"][1]


async def test_extraction_in_a_worker_process(site: LocalSite, fetcher: Fetcher) -> None:
    """With workers, pages are read in another process; a stub's reason crosses back too."""
    site.add("/news/orchard", article_html("orchard"))
    site.add("/stub", "<html><body><p>Please enable JavaScript.</p></body></html>")
    extractor = Extractor(workers=1)
    try:
        page = await extractor.read(await fetcher.fetch(site.url("/news/orchard")))
        with pytest.raises(NotAnArticle, match="JavaScript"):
            await extractor.read(await fetcher.fetch(site.url("/stub")))
    finally:
        extractor.close()
    assert page.title == STORIES["orchard"][0]
