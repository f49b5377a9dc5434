"""`newsbot db migrate / export / import`: SQLite → PostgreSQL → SQLite loses nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import SchemaError
from bot.ingest.records import with_sentences
from bot.models import Article, ChatSettings, Feed, Fingerprint, StorySource, Subscription
from bot.store import Store, open_store
from bot.summarize import Summarizer

NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


async def _fill(store: Store) -> None:
    """Some of everything a store holds."""
    first = await store.add_article(
        Article(
            "Экономика Китая",
            "Рост экономики Китая замедлился.\nЭкспорт упал.",
            url="https://example.ru/1",
            source="Вести",
            published=NOW,
            fetched=NOW + timedelta(hours=1),
            language="ru",
            tags=("economy", "china"),
        )
    )
    await store.add_article(Article("No date", "Body only.", url=None, fetched=NOW))
    await store.subscribe(Subscription(7, "climate", ("ice",), ("sport",), created=NOW))
    await store.save_chat_settings(ChatSettings(7, "short", "twice", 6, "Asia/Tokyo", 1, 5, ("X",)))
    await store.save_chat_settings(ChatSettings(8, blocked=True))
    await store.schedule_digest(7, NOW)
    await store.record_delivery(7, [first.article_id], 99)
    await store.remember_topic("климат")
    feed, _ = await store.add_feed(Feed("https://example.ru/rss", title="Вести"))
    assert feed.id is not None
    await store.record_feed_entries(feed.id, [("g1", "fp", first.article_id)])
    await store.link_article(
        first.article_id,
        ["https://m.example.ru/1"],
        Fingerprint(bytes(range(16)), 9, (5, -6)),
        StorySource("https://example.ru/1", "Вести", "Экономика Китая", first.article_id, NOW),
    )
    await store.learn_site_lines("example.ru", [frozenset({"menu"})])


async def _cli(*args: str) -> int:
    """Run `newsbot` in-process (in a thread: it runs its own event loop), without .env."""
    return await asyncio.to_thread(main, ["--env-file", "/nonexistent/.env", *args])


async def test_sqlite_to_postgres_and_back_is_lossless(tmp_path: Path, pg_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'a.db'}"
    source = open_store(sqlite_url)
    await source.open()
    await _fill(source)
    await source.close()
    first, middle, last = (tmp_path / name for name in ("a.jsonl", "pg.jsonl", "b.jsonl"))
    back_url = f"sqlite:///{tmp_path / 'b.db'}"
    assert await _cli("db", "--database-url", sqlite_url, "export", str(first)) == 0
    assert await _cli("db", "--database-url", pg_url, "migrate") == 0
    assert await _cli("db", "--database-url", pg_url, "import", str(first)) == 0
    assert await _cli("db", "--database-url", pg_url, "export", str(middle)) == 0
    assert await _cli("db", "--database-url", back_url, "migrate") == 0
    assert await _cli("db", "--database-url", back_url, "import", str(middle)) == 0
    assert await _cli("db", "--database-url", back_url, "export", str(last)) == 0
    assert last.read_text().splitlines()[1:] == first.read_text().splitlines()[1:]
    assert len(first.read_text().splitlines()) > 15

    moved = open_store(pg_url)
    await moved.open()
    try:
        (found,) = await moved.search("Китай")
        assert (found.title, found.tags, found.published) == (
            "Экономика Китая",
            ("economy", "china"),
            NOW,
        )
        assert (await moved.subscriptions(7))[0].must_not == ("sport",)
        assert (await moved.chat_settings(8)).blocked is True
        assert await moved.delivered(7, [found.id or 0]) == {found.id}
        later = await moved.add_article(Article("New", "A new one.", url="https://n.example"))
        assert later.article_id > (found.id or 0)  # identity sequences moved past the import
    finally:
        await moved.close()


async def test_import_refuses_a_non_empty_target(tmp_path: Path, pg_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(sqlite_url)
    await store.open()
    await _fill(store)
    await store.close()
    dump = tmp_path / "a.jsonl"
    assert await _cli("db", "--database-url", sqlite_url, "export", str(dump)) == 0
    assert await _cli("db", "--database-url", sqlite_url, "import", str(dump)) == 1


async def test_postgres_open_refuses_an_unmigrated_schema(pg_url: str) -> None:
    with pytest.raises(SchemaError, match="run `newsbot db migrate`"):
        await open_store(pg_url).open()
    assert await _cli("db", "--database-url", pg_url, "migrate") == 0
    store = open_store(pg_url)
    await store.open()  # now it opens
    await store.close()


async def test_a_v3_sqlite_store_migrates_to_sentence_spans(tmp_path: Path) -> None:
    """Articles stored before v4 have no spans and are still summarized; new ones get them."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'v3.db'}"
    store = open_store(url)
    await store.open()
    old = Article(title="Harbour", text="The harbour reopened. Boats came back.\nFish sold.")
    old_id = (await store.add_article(old)).article_id
    await store.close()
    with sqlite3.connect(tmp_path / "v3.db") as db:  # back to the v3 schema
        db.execute("ALTER TABLE articles DROP COLUMN sentence_spans")
        db.execute("ALTER TABLE articles DROP COLUMN reading")  # and what came with Alembic
        db.execute("DROP TABLE updates_seen")  # v5
        db.execute("DROP TABLE store_state")
        db.execute("DROP TABLE rate_limits")
        db.execute("DROP TABLE alembic_version")
        db.execute("DROP INDEX articles_id_when")
        db.execute("PRAGMA user_version = 3")
    with pytest.raises(SchemaError, match="run `newsbot db migrate`"):
        await open_store(url).open()
    assert await _cli("db", "--database-url", url, "migrate") == 0
    store = open_store(url)
    await store.open()
    try:
        stored = await store.get_article(old_id)
        assert stored is not None and stored.sentence_spans == ""
        assert Summarizer().summarize_article(stored, 2).sentences == (
            "The harbour reopened.",
            "Boats came back.",
        )
        new = with_sentences(Article(title="Rain", text="Rain fell. Roads shut.", url="u:2"))
        added = await store.get_article((await store.add_article(new)).article_id)
        assert added is not None and added.sentence_spans == "english:0,10,11,22"
        assert added.reading == new.reading != ""
        assert stored.reading == ""  # read when summarized, as before
    finally:
        await store.close()
