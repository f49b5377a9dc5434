"""Articles in the store, on both backends: lifecycle, deduplication, round trips, listings."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.errors import SchemaError, StoreError
from bot.models import Article, Count
from bot.store import open_store
from bot.store.base import Store
from bot.store.migrate import FENCE
from bot.store.sqlstore import SqlStore

NOW = datetime.now(UTC).replace(microsecond=0)


def _article(**fields: Any) -> Article:
    """An article with sensible defaults, overridden by `fields`."""
    defaults: dict[str, Any] = {
        "title": "Markets rally",
        "text": "Stocks rose sharply on Monday.\nTraders cheered.",
        "url": "https://example.org/markets",
        "source": "Example News",
        "published": NOW - timedelta(days=1),
        "fetched": NOW,
    }
    return Article(**{**defaults, **fields})


def test_sqlite_store_satisfies_the_protocol(tmp_path: Path) -> None:
    store: Store = open_store(f"sqlite:///{tmp_path / 'news.db'}")  # mypy checks the protocol here
    assert isinstance(open_store(f"sqlite:///{tmp_path}/news.db"), SqlStore)
    assert store is not None


async def test_open_creates_folders_and_uses_wal(db_path: Path, sqlite_store: Store) -> None:
    # mode=ro fails unless open() created the file (and its missing folder).
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == FENCE


async def test_close_twice_and_reopen_keeps_articles(db_path: Path) -> None:
    first = open_store(f"sqlite:///{db_path}")
    await first.open()
    added = await first.add_article(_article())
    await first.close()
    await first.close()
    second = open_store(f"sqlite:///{db_path}")
    await second.open()
    try:
        stored = await second.get_article(added.article_id)
        assert stored is not None and stored.title == "Markets rally"
    finally:
        await second.close()


@pytest.fixture
def garbage_file(tmp_path: Path) -> Path:
    """A file that is not an SQLite database."""
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    return path


async def test_foreign_file_is_a_schema_error(garbage_file: Path) -> None:
    with pytest.raises(SchemaError, match="cannot open"):
        await open_store(f"sqlite:///{garbage_file}").open()


async def test_using_a_closed_store_raises_store_error(db_path: Path) -> None:
    with pytest.raises(StoreError, match="not open"):
        await open_store(f"sqlite:///{db_path}").count_articles()


async def test_add_then_duplicate_by_content_hash(store: Store) -> None:
    first = await store.add_article(_article())
    # Same body modulo case and whitespace, under another URL: still the same story.
    again = await store.add_article(
        _article(
            url="https://mirror.example/x", text="stocks  rose sharply on Monday. Traders cheered."
        )
    )
    assert first.status == "added"
    assert (again.status, again.article_id) == ("duplicate", first.article_id)
    assert await store.count_articles() == 1


async def test_same_url_and_body_is_a_duplicate(store: Store) -> None:
    first = await store.add_article(_article())
    again = await store.add_article(_article(title="Another title"))
    assert (again.status, again.article_id) == ("duplicate", first.article_id)


async def test_same_url_new_body_updates_in_place(store: Store) -> None:
    first = await store.add_article(_article(tags=("economy",)))
    updated = await store.add_article(
        _article(title="Markets slump", text="Stocks fell on Tuesday.", tags=("crash",))
    )
    assert (updated.status, updated.article_id) == ("updated", first.article_id)
    stored = await store.get_article(first.article_id)
    assert stored is not None
    assert (stored.title, stored.text, stored.tags) == (
        "Markets slump",
        "Stocks fell on Tuesday.",
        ("crash",),
    )
    assert await store.count_articles() == 1
    assert [a.id for a in await store.search("slump")] == [first.article_id]
    assert await store.search("cheered") == []


async def test_search_since_keeps_articles_published_or_fetched_then_or_later(
    store: Store,
) -> None:
    """Old news fetched long ago is left out; fetched since (even if dated before) is in."""
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=20)
    old = await store.add_article(
        Article("Harbour storm", "The storm hit the harbour.", published=long_ago, fetched=long_ago)
    )
    arrived = await store.add_article(
        Article("Harbour storm report", "A storm report on the harbour.", published=long_ago)
    )
    new = await store.add_article(Article("Harbour storm again", "A storm hit the harbour."))
    since = now - timedelta(days=14)
    recent = {arrived.article_id, new.article_id}
    assert {a.id for a in await store.search("harbour storm")} == {old.article_id, *recent}
    assert {a.id for a in await store.search("harbour storm", since=since)} == recent
    assert await store.search("harbour gale", since=since) == []  # no article on a gale
    assert await store.search("harbour", since=now + timedelta(days=1)) == []


async def test_articles_without_url_are_deduplicated_by_body(store: Store) -> None:
    first = await store.add_article(_article(url=None))
    second = await store.add_article(_article(url=None, text="Something else."))
    again = await store.add_article(_article(url=None))
    assert first.article_id != second.article_id
    assert (again.status, again.article_id) == ("duplicate", first.article_id)


async def test_round_trip_keeps_fields_and_utc_instants(store: Store) -> None:
    moscow = timezone(timedelta(hours=3))
    published = datetime(2024, 3, 1, 15, 30, tzinfo=moscow)
    original = _article(published=published, language="ru", tags=("politics", "russia"))
    added = await store.add_article(original)
    stored = await store.get_article(added.article_id)
    assert stored is not None
    assert stored.published == published
    assert stored.published is not None and stored.published.utcoffset() == timedelta(0)
    assert stored.fetched == NOW and stored.fetched.tzinfo is not None
    assert (stored.url, stored.source, stored.language) == (original.url, "Example News", "ru")
    assert (stored.text, stored.tags, stored.id) == (
        original.text,
        ("politics", "russia"),
        added.article_id,
    )
    assert stored.sentence_spans == ""  # not split at ingestion: NULL, read back as ""


async def test_sentence_spans_are_kept_and_replaced_on_update(store: Store) -> None:
    added = await store.add_article(_article(sentence_spans="english:0,30,31,46"))
    stored = await store.get_article(added.article_id)
    assert stored is not None and stored.sentence_spans == "english:0,30,31,46"
    await store.add_article(_article(text="Stocks fell.", sentence_spans="english:0,12"))
    [found] = await store.search("fell")
    assert found.sentence_spans == "english:0,12"


async def test_naive_datetimes_are_taken_as_utc(store: Store) -> None:
    added = await store.add_article(_article(published=datetime(2024, 1, 2, 3, 4, 5)))
    stored = await store.get_article(added.article_id)
    assert stored is not None and stored.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_get_unknown_article_is_none(store: Store) -> None:
    assert await store.get_article(12345) is None


async def test_latest_is_newest_first_by_published_else_fetched(store: Store) -> None:
    old = await store.add_article(
        _article(url="u:old", text="old", published=NOW - timedelta(days=9))
    )
    unpublished = await store.add_article(
        _article(url="u:fetched", text="fetched", published=None, fetched=NOW - timedelta(days=2))
    )
    new = await store.add_article(
        _article(url="u:new", text="new", published=NOW - timedelta(hours=1))
    )
    latest = await store.latest(limit=10)
    assert [a.id for a in latest] == [new.article_id, unpublished.article_id, old.article_id]
    assert [a.id for a in await store.latest(limit=1)] == [new.article_id]


async def test_source_and_tag_counts_largest_first(store: Store) -> None:
    rows = [("A", ("x", "y")), ("B", ("y",)), ("B", ("y", "z", "y")), ("", ("z",))]
    for number, (source, tags) in enumerate(rows):
        await store.add_article(
            _article(url=f"u:{number}", text=f"body {number}", source=source, tags=tags)
        )
    assert await store.source_counts() == [Count("B", 2), Count("A", 1)]
    assert await store.tag_counts() == [Count("y", 3), Count("z", 2), Count("x", 1)]
    assert await store.tag_counts(limit=1) == [Count("y", 3)]
    assert await store.count_articles() == 4


async def test_concurrent_adds_do_not_interleave_transactions(store: Store) -> None:
    distinct = [_article(url=f"u:{n}", text=f"story {n}") for n in range(20)]
    copies = [_article(url=f"copy:{n}", text="the same story") for n in range(5)]
    results = await asyncio.gather(*(store.add_article(a) for a in distinct + copies))
    statuses = [result.status for result in results]
    assert statuses.count("added") == 21
    assert statuses.count("duplicate") == 4
    assert await store.count_articles() == 21
