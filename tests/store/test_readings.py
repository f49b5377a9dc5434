"""`newsbot db readings`: articles stored without a reading (before revision 0005) get one."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from bot.cli import main
from bot.ingest.records import with_sentences
from bot.models import Article
from bot.store import Store
from bot.summarize.reading import READING_PREFIX, decode_reading, read_article, reading_of
from tests.conftest import make_article

TEXTS = [
    ("Floods close schools", "Heavy rain flooded the valley on Monday.\nSchools were shut."),
    ("Паводок в долине", "Сильный дождь затопил долину.\nШколы закрыты на неделю."),
    ("Election called", "The prime minister called an early election.\nVoting is in May."),
]


async def _cli(*args: str) -> int:
    """Run `newsbot` in-process (in a thread: it runs its own event loop), without .env."""
    return await asyncio.to_thread(main, ["--env-file", "/nonexistent/.env", *args])


async def _stored(store: Store) -> dict[int, Article]:
    return {a.id: a for a in await store.latest(limit=100) if a.id is not None}


@pytest.mark.parametrize("workers", ["0", "2"])
async def test_articles_without_a_reading_get_theirs(
    store: Store, store_url: str, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for title, text in TEXTS:  # stored as before revision 0005: no reading
        await store.add_article(make_article(title, text, language=""))
    old = with_sentences(make_article("Old version", "A reading of an older version.\nIt is."))
    await store.add_article(dataclasses.replace(old, reading="[0,1,2]"))
    current = with_sentences(make_article("Read at ingestion", "Already read.\nNothing to do."))
    await store.add_article(current)
    version = await store.articles_version()
    before = await _stored(store)
    assert sum(1 for a in before.values() if not a.reading.startswith(READING_PREFIX)) == 4

    assert await _cli("db", "--database-url", store_url, "readings", "--workers", workers) == 0
    assert "stored the readings of 4 articles" in capsys.readouterr().err

    after = await _stored(store)
    assert after.keys() == before.keys()
    for article_id, article in after.items():
        assert article.reading == reading_of(before[article_id]), article.title
        read = decode_reading(article.reading, article.title, article.text)
        assert read == read_article(article.language, article.title, article.text)
    assert await store.articles_version() == version  # no answer changes: caches stay
    assert await _cli("db", "--database-url", store_url, "readings") == 0
    assert "every article has its reading" in capsys.readouterr().err


async def test_batches_walk_down_the_ids_and_skip_changed_bodies(store: Store) -> None:
    ids = []
    for n in range(7):
        stored = await store.add_article(make_article(f"Story {n}", f"Body number {n}.\nMore."))
        ids.append(stored.article_id)
    first = await store.unread_articles(READING_PREFIX, 3)
    assert [a.id for a in first] == ids[::-1][:3]
    second = await store.unread_articles(READING_PREFIX, 3, below=first[-1].id)
    assert [a.id for a in second] == ids[::-1][3:6]
    # a body changed since it was read keeps no reading made of the old one
    changed = dataclasses.replace(first[0], text="Another body.\nEntirely.")
    await store.save_readings([(changed, reading_of(changed)), (first[1], reading_of(first[1]))])
    left = await store.unread_articles(READING_PREFIX, 10)
    assert first[0].id in {a.id for a in left} and first[1].id not in {a.id for a in left}


async def test_an_older_reading_that_still_holds_is_left_as_it_is(
    store: Store, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an upgrade that changes how only some texts are read (version 3: pictures), the
    readings of the other texts are kept, not written again: hours on a large store."""
    texts = [
        ("Harbour reopens", "The harbour reopened.\nBoats came back."),
        ("Harbour pictures", "In this 2010 file photo, boats wait.\nBoats came back."),
    ]
    older: dict[str, str] = {}
    for title, text in texts:
        article = with_sentences(make_article(title, text))
        record = json.loads(article.reading)
        record[0] = 2
        older[title] = json.dumps(record)
        await store.add_article(dataclasses.replace(article, reading=older[title]))
    assert await _cli("db", "--database-url", store_url, "readings") == 0
    assert "stored the readings of 1 articles; 1 older readings still hold" in (
        capsys.readouterr().err
    )
    after = {a.title: a for a in (await _stored(store)).values()}
    assert after["Harbour reopens"].reading == older["Harbour reopens"]
    assert after["Harbour pictures"].reading.startswith(READING_PREFIX)
