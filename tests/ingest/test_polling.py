"""Tests for `bot.ingest.polling`: feeds polled over real HTTP into a real store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import IngestError
from bot.ingest.polling import FeedPoller
from bot.models import Feed, utcnow
from bot.store import Store
from tests.ingest.site import STORIES, LocalSite, article_html, rss


def _teaser_feed(site: LocalSite, keys: list[str], prefix: str = "/news") -> str:
    """An RSS feed whose items only tease the articles served at `prefix`/<key>."""
    items = []
    for day, key in enumerate(keys, start=1):
        site.add(f"{prefix}/{key}", article_html(key))
        items.append(
            {
                "title": STORIES[key][0],
                "link": site.url(f"{prefix}/{key}?utm_source=rss"),
                "guid": f"urn:{prefix}:{key}",
                "pubDate": f"Mon, 0{day} Jun 2025 08:00:00 GMT",
                "description": STORIES[key][1][0][:80] + "…",
            }
        )
    return rss(items)


async def _added(poller: FeedPoller, url: str) -> Feed:
    """A feed in the store, due now."""
    feed, _ = await poller.web.store.add_feed(Feed(url=url, interval=900))
    return feed


async def test_teaser_feed_fetches_the_pages(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Teaser entries lead to their pages; titles and dates come from the feed."""
    url = site.add(
        "/feed.xml", _teaser_feed(site, ["harbour", "orchard"]), content_type="application/rss+xml"
    )
    report = await poller.poll(await _added(poller, url))
    assert [o.status for o in report.outcomes] == ["added", "added"]
    article = await store.get_article(report.outcomes[0].article_id or 0)
    assert article is not None
    assert article.title == STORIES["harbour"][0]
    assert article.text.split("\n") == STORIES["harbour"][1]
    assert article.published == datetime(2025, 6, 1, 8, tzinfo=UTC)
    assert article.url == site.url("/news/harbour")
    assert site.hits("/news/harbour?utm_source=rss") == 1
    assert report.feed.title == "Local Gazette" and report.feed.failures == 0


async def test_full_text_entries_need_no_page(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """An entry that carries the whole article is stored from the feed alone."""
    body = "".join(f"<p>{p}</p>" for p in STORIES["comet"][1])
    items = [{"title": STORIES["comet"][0], "link": site.url("/p/comet"), "description": body}]
    url = site.add("/full.xml", rss(items), content_type="application/rss+xml")
    before = utcnow()
    report = await poller.poll(await _added(poller, url))
    [outcome] = report.outcomes
    article = await store.get_article(outcome.article_id or 0)
    assert article is not None and article.text.split("\n") == STORIES["comet"][1]
    assert site.hits("/p/comet") == 0
    assert article.published is not None and article.published >= before  # first seen


async def test_conditional_get_and_seen_entries_cost_nothing(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """The ETag comes back as If-None-Match and a 304 adds nothing; seen entries are skipped."""
    feed_body = _teaser_feed(site, ["library"])
    url = site.add("/etag.xml", feed_body, content_type="application/rss+xml", etag='"v1"')
    plain = site.add("/plain.xml", feed_body, content_type="application/rss+xml")
    first = await poller.poll(await _added(poller, url))
    second = await poller.poll(first.feed)
    assert first.feed.etag == '"v1"' and second.not_modified and second.outcomes == []
    assert site.requests[-1][1]["if-none-match"] == '"v1"'
    again = await poller.poll(await _added(poller, plain))
    twice = await poller.poll(again.feed)
    assert again.count("duplicate") == 1 and twice.outcomes == []
    assert site.hits("/news/library?utm_source=rss") == 2  # once per feed, never again
    assert await store.count_articles() == 1


async def test_the_same_story_in_two_feeds_is_one_story(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Two feeds carrying the same article at two URLs: one article, one story, two sources."""
    first = site.add(
        "/a.xml", _teaser_feed(site, ["harbour"], "/a"), content_type="application/rss+xml"
    )
    second = site.add(
        "/b.xml", _teaser_feed(site, ["harbour"], "/b"), content_type="application/rss+xml"
    )
    one = await poller.poll(await _added(poller, first))
    two = await poller.poll(await _added(poller, second))
    [a], [b] = one.outcomes, two.outcomes
    assert a.status == "added" and b.status == "duplicate" and a.article_id == b.article_id
    sources = await store.story_sources(a.story_id or 0)
    assert [s.url for s in sources] == [site.url("/a/harbour"), site.url("/b/harbour")]


async def test_malformed_and_mislabelled_feeds_are_read(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Broken XML keeps its readable entries; a wrong declared charset is survived."""
    body = "".join(f"<p>{p}</p>" for p in STORIES["orchard"][1])
    broken = rss([{"title": "Frost & apples", "link": site.url("/x/1"), "description": body}])
    broken = broken.replace("Frost &amp; apples", "Frost & apples").replace("</rss>", "")
    cp1252 = rss(
        [
            {
                "title": "Café owners react",
                "link": site.url("/x/2"),
                "description": body.replace("Apple", "Café apple"),
            }
        ]
    )
    site.add("/broken.xml", broken, content_type="application/rss+xml")
    site.add("/latin.xml", cp1252.encode("cp1252"), content_type="text/xml; charset=utf-8")
    one = await poller.poll(await _added(poller, site.url("/broken.xml")))
    two = await poller.poll(await _added(poller, site.url("/latin.xml")))
    assert one.error is None and one.count("added") == 1
    assert two.error is None and two.count("added") == 1
    titles = {a.title for a in await store.latest(5)}
    assert titles == {"Frost & apples", "Café owners react"}


async def test_failures_back_off_then_pause_the_feed(site: LocalSite, poller: FeedPoller) -> None:
    """Each failure is counted and pushes the next poll out; the third in a row pauses."""
    site.add("/bad.xml", "boom", status=500)
    feed = await _added(poller, site.url("/bad.xml"))
    reports = []
    for _ in range(3):
        report = await poller.poll(feed)
        feed = report.feed
        reports.append(report)
    assert [r.paused for r in reports] == [False, False, True]
    assert feed.status == "paused" and feed.failures == 3 and feed.last_error == "HTTP 500"
    assert feed.next_poll is not None and feed.next_poll > utcnow() + timedelta(seconds=3000)
    assert await poller.poll_due(utcnow() + timedelta(days=30)) == []  # paused: not polled
    site.add("/bad.xml", _teaser_feed(site, ["comet"]), content_type="application/rss+xml")
    resumed, created = await poller.add_feed(site.url("/bad.xml"))
    assert not created and resumed.status == "active" and resumed.failures == 0


async def test_cache_control_and_retry_after_set_the_next_poll(
    site: LocalSite, poller: FeedPoller
) -> None:
    """max-age=7200 and Retry-After: 3600 both push the next poll past the interval."""
    site.add("/cached.xml", rss([]), content_type="application/rss+xml",
             headers={"Cache-Control": "public, max-age=7200"})  # fmt: skip
    site.add("/limited.xml", "slow down", status=429, headers={"Retry-After": "3600"})
    cached = await poller.poll(await _added(poller, site.url("/cached.xml")))
    limited = await poller.poll(await _added(poller, site.url("/limited.xml")))
    now = utcnow()
    assert cached.feed.next_poll is not None and limited.feed.next_poll is not None
    assert timedelta(seconds=7000) < cached.feed.next_poll - now < timedelta(seconds=7300)
    assert limited.feed.next_poll - now > timedelta(seconds=3500)


async def test_a_changed_entry_updates_its_article(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """An entry whose text changes is read again and its article updated in place."""
    url = site.add("/c.xml", _teaser_feed(site, ["comet"]), content_type="application/rss+xml")
    first = await poller.poll(await _added(poller, url))
    site.add("/news/comet", article_html("comet", extra=("The comet was named on Friday.",)))
    changed = _teaser_feed(site, ["comet"]).replace("Two amateur", "2 amateur")
    site.add("/news/comet", article_html("comet", extra=("The comet was named on Friday.",)))
    site.add("/c.xml", changed, content_type="application/rss+xml")
    second = await poller.poll(first.feed)
    [a], [b] = first.outcomes, second.outcomes
    assert b.status == "updated" and b.article_id == a.article_id
    article = await store.get_article(a.article_id or 0)
    assert article is not None and article.text.endswith("The comet was named on Friday.")


async def test_an_entry_whose_page_failed_is_tried_again(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Settled entries are remembered; one whose page could not be fetched is not."""
    url = site.add(
        "/r.xml", _teaser_feed(site, ["harbour", "orchard"]), content_type="application/rss+xml"
    )
    site.add("/news/orchard", "<html><body>Busy</body></html>", status=404)
    first = await poller.poll(await _added(poller, url))
    site.add("/news/orchard", article_html("orchard"))
    second = await poller.poll(first.feed)
    assert [o.status for o in first.outcomes] == ["added", "failed"]
    assert [(o.status, o.title) for o in second.outcomes] == [("added", STORIES["orchard"][0])]
    assert (await poller.poll(second.feed)).outcomes == []
    assert site.hits("/news/harbour?utm_source=rss") == 1
    assert await store.count_articles() == 2


async def test_add_feed_discovers_the_feed_of_a_page(site: LocalSite, poller: FeedPoller) -> None:
    """A site's home page that announces its feed adds that feed; a page without one is refused."""
    feed_url = site.add(
        "/rss.xml", _teaser_feed(site, ["library"]), content_type="application/rss+xml"
    )
    site.add("/", "<html><head><link rel='alternate' type='application/rss+xml' "
                  "href='/rss.xml'></head><body>Home</body></html>")  # fmt: skip
    site.add("/plain", "<html><body><p>No feed here.</p></body></html>")
    feed, created = await poller.add_feed(site.url("/"))
    assert created and feed.url == feed_url and feed.title == "Local Gazette"
    with pytest.raises(IngestError, match="no RSS or Atom feed"):
        await poller.add_feed(site.url("/plain"))
    with pytest.raises(IngestError, match="HTTP 404"):
        await poller.add_feed(site.url("/nowhere"))


async def test_a_feed_that_brings_nothing_new_goes_quiet_once(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """The first poll past `quiet_after` without a new entry says so; later ones do not."""
    poller.quiet_after = timedelta(seconds=0.6)
    url = site.add("/q.xml", _teaser_feed(site, ["harbour"]), content_type="application/rss+xml")
    feed_id = (await _added(poller, url)).id or 0

    async def poll() -> bool:
        feed = await store.get_feed(feed_id)  # as poll_due reads it
        assert feed is not None
        return (await poller.poll(feed)).went_quiet

    assert [await poll(), await poll()] == [False, False]  # new, then nothing new yet
    await asyncio.sleep(0.65)
    assert [await poll(), await poll()] == [True, False]  # told once
    more = _teaser_feed(site, ["harbour", "orchard"])
    site.add("/q.xml", more, content_type="application/rss+xml")
    assert await poll() is False  # something new: awake again
    await asyncio.sleep(0.65)
    assert [await poll(), await poll()] == [True, False]
    listed = await store.get_feed(feed_id)
    assert listed is not None and listed.last_new is not None
    assert utcnow() - listed.last_new > timedelta(seconds=0.6)


async def test_quiet_off_and_a_feed_without_entries_never_go_quiet(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """quiet_after=None never reports; an empty feed has no newest entry to count from."""
    empty = await _added(poller, site.add("/e.xml", rss([]), content_type="application/rss+xml"))
    busy = site.add("/b.xml", _teaser_feed(site, ["comet"]), content_type="application/rss+xml")
    full = await _added(poller, busy)
    poller.quiet_after = timedelta(0)
    reports = [await poller.poll(empty)]
    reports.append(await poller.poll(await store.get_feed(empty.id or 0) or empty))
    poller.quiet_after = None
    reports.append(await poller.poll(full))
    reports.append(await poller.poll(await store.get_feed(full.id or 0) or full))
    assert [r.went_quiet for r in reports] == [False, False, False, False]
    assert (await store.get_feed(empty.id or 0) or empty).last_new is None


async def test_feeds_polled_together_take_turns_and_lose_nothing(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """poll_due polls every due feed at once; their parsing and storing take turns, and
    every entry (whole texts and teasers alike) ends up stored once."""
    for key in STORIES:
        body = "".join(f"<p>{p}</p>" for p in STORIES[key][1])
        items = [{"title": STORIES[key][0], "link": site.url(f"/p/{key}"), "description": body}]
        await _added(
            poller, site.add(f"/{key}.xml", rss(items), content_type="application/rss+xml")
        )
    teasers = site.add("/t.xml", _teaser_feed(site, ["harbour", "comet"], "/tease"))
    await _added(poller, teasers)
    reports = await poller.poll_due(utcnow())
    statuses = sorted(o.status for r in reports for o in r.outcomes)
    assert len(reports) == len(STORIES) + 1 and not any(r.error for r in reports)
    assert statuses == ["added"] * len(STORIES) + ["duplicate"] * 2  # teasers: the same texts
    assert await store.count_articles() == len(STORIES)


@pytest.mark.parametrize("version", ["1", "1.1"])
async def test_a_json_feed_is_read(
    site: LocalSite, poller: FeedPoller, store: Store, version: str
) -> None:
    """JSON Feed (application/feed+json) was refused; its items are articles now."""
    body = "".join(f"<p>{p}</p>" for p in STORIES["comet"][1])
    document = {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "JSON Gazette",
        "home_page_url": site.url("/"),
        "items": [
            {
                "id": "comet-1",
                "url": site.url("/j/comet"),
                "title": STORIES["comet"][0],
                "content_html": body,
                "date_published": "2025-06-02T09:30:00Z",
            }
        ],
    }
    url = site.add("/feed.json", json.dumps(document), content_type="application/feed+json")
    report = await poller.poll(await _added(poller, url))
    assert report.error is None and report.count("added") == 1
    [article] = await store.latest(5)
    assert article.title == STORIES["comet"][0]
    assert article.text.split("\n") == STORIES["comet"][1]
    assert article.published == datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
    assert report.feed.title == "JSON Gazette"


@pytest.mark.parametrize("content_type", ["text/rss+xml", "text/atom+xml", "text/plain"])
async def test_feeds_served_as_other_text_types_are_read(
    site: LocalSite, poller: FeedPoller, content_type: str
) -> None:
    """text/rss+xml, text/atom+xml and XML served as text/plain parse: they were refused."""
    body = "".join(f"<p>{p}</p>" for p in STORIES["comet"][1])
    items = [{"title": STORIES["comet"][0], "link": site.url("/t/comet"), "description": body}]
    url = site.add("/odd.xml", rss(items), content_type=content_type)
    report = await poller.poll(await _added(poller, url))
    assert report.error is None and report.count("added") == 1


async def test_an_entry_without_a_title_gets_its_first_sentence_as_headline(
    site: LocalSite, poller: FeedPoller, store: Store
) -> None:
    """Not the whole first paragraph (~700 characters) as a headline."""
    long_first = " ".join(STORIES["comet"][1][:1]) * 3  # one long paragraph
    body = "".join(f"<p>{p}</p>" for p in [long_first, *STORIES["comet"][1]])
    items = [{"link": site.url("/n/comet"), "description": body}]
    url = site.add("/untitled.xml", rss(items), content_type="application/rss+xml")
    report = await poller.poll(await _added(poller, url))
    assert report.count("added") == 1
    [article] = await store.latest(5)
    assert 20 < len(article.title) <= 100, article.title
    assert long_first.startswith(article.title.removesuffix("…").rstrip(". "))
