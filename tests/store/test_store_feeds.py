"""The feed half of the `Store` protocol, on both backends (see conftest `store`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.models import Article, Feed, Fingerprint, StorySource, utcnow
from bot.store import Store


async def test_feeds_add_save_list_remove(store: Store) -> None:
    feed, created = await store.add_feed(Feed("https://example.org/rss", title="Ex"))
    again, created_again = await store.add_feed(Feed("https://example.org/rss"))
    assert (created, created_again, again.id) == (True, False, feed.id)
    poll = datetime(2026, 1, 1, 12, tzinfo=UTC)
    saved = replace(feed, etag='"v1"', failures=2, last_error="timeout", next_poll=poll)
    await store.save_feed(saved)
    assert feed.id is not None
    stored = await store.get_feed(feed.id)
    assert stored is not None
    assert (stored.etag, stored.failures, stored.last_error, stored.next_poll) == (
        '"v1"',
        2,
        "timeout",
        poll,
    )
    assert [f.url for f in await store.list_feeds()] == ["https://example.org/rss"]
    assert await store.find_feed("https://nowhere.example/") is None
    assert await store.remove_feed(feed.id) is True
    assert await store.get_feed(feed.id) is None


async def test_entries_urls_fingerprints_and_stories(store: Store) -> None:
    feed, _ = await store.add_feed(Feed("https://example.org/rss"))
    assert feed.id is not None and feed.last_new is None
    added = await store.add_article(Article("Quake", "A quake hit.", url="https://a.example/1"))
    before = utcnow()
    await store.record_feed_entries(feed.id, [("guid-1", "fp1", added.article_id)])
    assert await store.feed_entries(feed.id, ["guid-1"]) == {"guid-1": "fp1"}
    [listed] = await store.list_feeds()
    assert listed.articles == 1
    assert listed.last_new is not None and before <= listed.last_new <= utcnow()  # newest entry
    fingerprint = Fingerprint(b"\x01\x02\x03\x04", 3, (11, -22))
    source = StorySource("https://a.example/1", "A", "Quake", added.article_id)
    story = await store.link_article(
        added.article_id, ["https://a.example/1?x"], fingerprint, source
    )
    copy = StorySource("https://b.example/q", "B", "Quake!", None)
    assert await store.add_story_source(added.article_id, ["https://b.example/q"], copy) == story
    found = await store.find_by_urls(["https://none.example", "https://b.example/q"])
    assert found is not None and (found[0].id, found[1]) == (
        added.article_id,
        "https://b.example/q",
    )
    assert found[0].story_id == story
    similar = await store.similar_fingerprints([-22, 99])
    assert [(f.article_id, f.values, f.story_id) for f in similar] == [
        (added.article_id, b"\x01\x02\x03\x04", story)
    ]
    assert [s.url for s in await store.story_sources(story)] == [
        "https://a.example/1",
        "https://b.example/q",
    ]


async def test_site_lines_learn_and_prune(store: Store) -> None:
    await store.learn_site_lines("ex.org", [frozenset({"menu", "x"}), frozenset({"menu"})])
    assert await store.site_boilerplate("ex.org", 2) == frozenset({"menu"})
    future = datetime.now(UTC) + timedelta(days=1)
    assert await store.prune_site_lines(future, below=2) == 1
    assert await store.site_boilerplate("ex.org", 1) == frozenset({"menu"})


async def test_due_feeds_are_leased_to_one_poller(store: Store) -> None:
    now = datetime.now(UTC)
    first, _ = await store.add_feed(Feed("https://example.org/a"))
    second, _ = await store.add_feed(Feed("https://example.org/b"))
    assert second.id is not None
    await store.save_feed(replace(second, next_poll=now + timedelta(hours=1)))
    assert await store.claim_due_feeds(now, 60) == [first.id]
    assert await store.claim_due_feeds(now, 60) == []  # leased: another poller skips it
    later = now + timedelta(seconds=61)
    assert await store.claim_due_feeds(later, 60) == [first.id]  # the lease expired
