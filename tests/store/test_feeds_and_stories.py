"""Tests for the `FeedStore` half of the stores: feeds, entries, dedup keys, site lines, stories.

Every test runs on SQLite and PostgreSQL (`bot.store.feeds`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest import dedup
from bot.models import Feed, Fingerprint, PageWrite, StorySource, utcnow
from bot.store import Store
from tests.conftest import make_article

TEXT = (
    "The harbour bridge reopened on Tuesday after eight months of repairs.\n"
    "Engineers replaced every cable and resurfaced the deck of the old bridge."
)


async def test_feed_lifecycle(store: Store) -> None:
    """Add (once per URL), read, save state, list with counts, remove."""
    feed, created = await store.add_feed(Feed(url="https://g.example/rss", interval=600))
    again, created_again = await store.add_feed(Feed(url="https://g.example/rss"))
    assert created and not created_again and again.id == feed.id
    assert feed.status == "active" and feed.next_poll is None and feed.interval == 600
    later = utcnow().replace(microsecond=0) + timedelta(minutes=10)
    success = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    saved = replace(
        feed, title="Gazette", etag='"e1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
        failures=2, last_error="HTTP 500", last_success=success, next_poll=later,
    )  # fmt: skip
    await store.save_feed(saved)
    assert await store.get_feed(feed.id or 0) == saved
    assert await store.find_feed("https://g.example/rss") == saved
    assert [f.url for f in await store.list_feeds()] == ["https://g.example/rss"]
    assert await store.remove_feed(feed.id or 0)
    assert not await store.remove_feed(feed.id or 0)
    assert await store.list_feeds() == []


async def test_feed_entries_and_article_counts(store: Store) -> None:
    """Entries remember their fingerprint; a feed counts the distinct articles it brought."""
    feed, _ = await store.add_feed(Feed(url="https://g.example/rss"))
    other, _ = await store.add_feed(Feed(url="https://h.example/rss"))
    assert feed.id is not None and other.id is not None
    stored = await store.add_article(make_article("Bridge", TEXT))
    assert await store.feed_entries(feed.id, ["e1"]) == {}
    assert await store.feed_entries(feed.id, []) == {}
    await store.record_feed_entries(feed.id, [])
    rows = [("e1", "f1", stored.article_id), ("e2", "f2", stored.article_id), ("e3", "f3", None)]
    await store.record_feed_entries(feed.id, rows)
    await store.record_feed_entries(other.id, [("e1", "other", None)])
    await store.record_feed_entries(feed.id, [("e1", "f1b", stored.article_id)])
    keys = ["e1", "e3", "e9", "e1"]  # unknown and repeated keys are allowed
    assert await store.feed_entries(feed.id, keys) == {"e1": "f1b", "e3": "f3"}
    assert await store.feed_entries(other.id, ["e1", "e2"]) == {"e1": "other"}
    listed = await store.list_feeds()
    assert [f.articles for f in listed] == [1, 0]


async def test_feed_entries_in_bulk(store: Store) -> None:
    """Many keys at once (more than one query's worth); a repeated key: the last row wins."""
    feed, _ = await store.add_feed(Feed(url="https://g.example/rss"))
    assert feed.id is not None
    rows = [(f"entry-{n}", f"fp-{n}", None) for n in range(1200)]
    await store.record_feed_entries(feed.id, [*rows, ("entry-7", "fp-7b", None)])
    found = await store.feed_entries(feed.id, [key for key, _, _ in rows] + ["missing"])
    assert len(found) == 1200
    assert found["entry-7"] == "fp-7b" and found["entry-1199"] == "fp-1199"


async def test_urls_lead_to_articles(store: Store) -> None:
    """An article is found by any URL linked to it, or by its own URL."""
    own = await store.add_article(make_article("Bridge", TEXT, url="https://g.example/a"))
    fingerprint = dedup.fingerprint(TEXT)
    source = StorySource("https://g.example/a", "Gazette", "Bridge", own.article_id)
    story = await store.link_article(
        own.article_id, ["https://g.example/a", "https://g.example/amp/a"], fingerprint, source
    )
    found = await store.find_by_urls(["https://x.example/none", "https://g.example/amp/a"])
    assert found is not None and found[0].id == own.article_id
    assert found[1] == "https://g.example/amp/a" and found[0].story_id == story
    assert await store.find_by_urls(["https://x.example/none"]) is None
    assert (await store.find_by_urls(["https://g.example/a"]) or (None, ""))[1] == (
        "https://g.example/a"
    )


async def test_stories_keep_every_source(store: Store) -> None:
    """A second article joins a story, a copy adds a source; the story lists all three."""
    first = await store.add_article(make_article("Bridge", TEXT, url="https://a.example/1"))
    second = await store.add_article(
        make_article("Bridge reopens", TEXT + "\nMore later.", url="https://b.example/1")
    )
    fp1, fp2 = dedup.fingerprint(TEXT), dedup.fingerprint(TEXT + "\nMore later.")
    assert fp1 is not None and fp2 is not None
    s1 = StorySource("https://a.example/1", "A", "Bridge", first.article_id)
    story = await store.link_article(first.article_id, ["https://a.example/1"], fp1, s1)
    near = await store.similar_fingerprints(fp2.bands)
    assert [f.article_id for f in near] == [first.article_id] and near[0].story_id == story
    s2 = StorySource("https://b.example/1", "B", "Bridge reopens", second.article_id)
    assert await store.link_article(second.article_id, [], fp2, s2, join_story=story) == story
    copy = StorySource("https://c.example/9", "C", "Bridge", first.article_id)
    assert await store.add_story_source(first.article_id, ["https://c.example/9"], copy) == story
    sources = await store.story_sources(story)
    assert [s.source for s in sources] == ["A", "B", "C"]
    assert (await store.get_article(second.article_id)) is not None
    stored_fp = await store.fingerprint_of(first.article_id)
    assert stored_fp is not None and stored_fp.values == fp1.values


async def test_site_lines_are_counted_per_article(store: Store) -> None:
    """A key counts once per article; keys reach the threshold, rare old keys are pruned."""
    pages = [frozenset({"menu", "a"}), frozenset({"menu", "b"}), frozenset({"menu"})]
    await store.learn_site_lines("g.example", pages)
    await store.learn_site_lines("other.example", [frozenset({"a"})])
    assert await store.site_boilerplate("g.example", 3) == frozenset({"menu"})
    assert await store.site_boilerplate("g.example", 1) == frozenset({"menu", "a", "b"})
    pruned = await store.prune_site_lines(utcnow() + timedelta(seconds=1), below=3)
    assert pruned == 3
    assert await store.site_boilerplate("g.example", 1) == frozenset({"menu"})


async def test_articles_read_back_with_their_story_id(store: Store) -> None:
    """Articles read back with their story id (None until they join a story)."""
    stored = await store.add_article(make_article("Plain", TEXT))
    article = await store.get_article(stored.article_id)
    assert article is not None and article.story_id is None


async def test_line_counts_are_read_for_the_keys_asked(store: Store) -> None:
    """Counts of the asked keys of one site only; keys never seen are absent; more keys than
    fit one statement are read in parts."""
    await store.learn_site_lines("g.example", [frozenset({"menu", "a"}), frozenset({"menu"})])
    await store.learn_site_lines("other.example", [frozenset({"menu", "b"})])
    assert await store.line_counts("g.example", {"menu", "a", "b", "z"}) == {"menu": 2, "a": 1}
    assert await store.line_counts("other.example", ["menu"]) == {"menu": 1}
    assert await store.line_counts("g.example", []) == {}
    many = {f"k{n}" for n in range(1_200)} | {"menu"}
    assert await store.line_counts("g.example", many) == {"menu": 2}


class _Refused(Exception):
    """Raised by a story choice to abort `store_page` midway."""


async def test_store_page_writes_a_page_in_one_transaction(store: Store) -> None:
    """A new page: its article, URLs, fingerprint, story, source and site lines, at once; a
    near-duplicate joins the story its choice picks among the fingerprints sharing a band; a
    copy of the body joins the stored article's story as a source. A failure midway leaves
    nothing behind."""
    more = TEXT + "\nThe mayor opened it."
    fp1, fp2 = dedup.fingerprint(TEXT), dedup.fingerprint(more)
    assert fp1 is not None and fp2 is not None
    lines = (frozenset({"menu", "share"}),)
    first = PageWrite(
        make_article("Bridge", TEXT, url="https://a.example/1"),
        ("https://a.example/1", "https://a.example/amp/1"),
        fp1,
        StorySource("https://a.example/1", "A", "Bridge"),
        site="a.example",
        line_keys=lines,
    )
    offered: list[list[int | None]] = []

    def pick(known: list[Fingerprint]) -> int | None:
        offered.append([k.article_id for k in known])
        return known[0].story_id if known else None

    result, story = await store.store_page(first, pick)
    assert result.status == "added" and offered == [[]]
    found = await store.find_by_urls(["https://a.example/amp/1"])
    assert found is not None and found[0].id == result.article_id and found[0].story_id == story
    assert (await store.fingerprint_of(result.article_id) or fp2).values == fp1.values
    assert await store.line_counts("a.example", {"menu", "share"}) == {"menu": 1, "share": 1}
    assert [(s.source, s.article_id) for s in await store.story_sources(story)] == [
        ("A", result.article_id)
    ]
    near = PageWrite(
        make_article("Bridge reopens", more, url="https://b.example/1"),
        ("https://b.example/1",),
        fp2,
        StorySource("https://b.example/1", "B", "Bridge reopens"),
    )
    second, joined = await store.store_page(near, pick)
    assert second.status == "added" and joined == story
    assert offered[1] == [result.article_id]
    copy = replace(
        first,
        article=make_article("Bridge", TEXT, url="https://c.example/9"),
        urls=("https://c.example/9",),
        source=StorySource("https://c.example/9", "C", "Bridge"),
    )
    again, copy_story = await store.store_page(copy, pick)
    assert (again.status, again.article_id, copy_story) == ("duplicate", result.article_id, story)
    assert [s.source for s in await store.story_sources(story)] == ["A", "B", "C"]
    assert await store.line_counts("a.example", {"menu"}) == {"menu": 2}

    def refuse(known: list[Fingerprint]) -> int | None:
        raise _Refused

    count = await store.count_articles()
    broken = replace(
        near,
        article=make_article("Bridge again", more + "\nAnd again.", url="https://d.example/1"),
        site="d.example",
        line_keys=lines,
    )
    with pytest.raises(_Refused):
        await store.store_page(broken, refuse)
    assert await store.count_articles() == count
    assert await store.line_counts("d.example", {"menu"}) == {}
    assert await store.find_by_urls(["https://d.example/1"]) is None
