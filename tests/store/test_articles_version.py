"""`Store.articles_version`: it moves with every article write, on both backends."""

from __future__ import annotations

from bot.store import Store, open_store
from tests.conftest import make_article


async def test_version_moves_on_add_and_update_not_on_duplicate(store: Store) -> None:
    """Adding or updating an article changes the version; a duplicate leaves it alone."""
    empty = await store.articles_version()
    assert await store.articles_version() == empty  # reading does not move it
    article = make_article("Dam opens", "The new dam opened on Monday.", url="https://x.org/d")
    await store.add_article(article)
    added = await store.articles_version()
    assert added != empty
    assert (await store.add_article(article)).status == "duplicate"
    assert await store.articles_version() == added
    changed = make_article("Dam opens", "The new dam opened on Tuesday.", url="https://x.org/d")
    assert (await store.add_article(changed)).status == "updated"
    assert await store.articles_version() not in {empty, added}


async def test_version_sees_articles_added_through_another_connection(
    store: Store, store_url: str
) -> None:
    """Another connection (another process, the `ingest` command) adding an article moves it."""
    before = await store.articles_version()
    other = open_store(store_url)
    await other.open()
    try:
        await other.add_article(make_article("Storm", "A storm hit the coast on Friday."))
    finally:
        await other.close()
    assert await store.articles_version() != before


async def test_search_with_version_reads_the_version_before_the_articles(store: Store) -> None:
    """The same articles as `search`, and the version they may be cached under."""
    await store.add_article(make_article("Dam opens", "The dam opened. The dam is big. Dam."))
    await store.add_article(make_article("Storm", "A storm hit the coast on Friday."))
    found, version = await store.search_with_version("dam", limit=5)
    assert [a.title for a in found] == [a.title for a in await store.search("dam", limit=5)]
    assert [a.title for a in found] == ["Dam opens"]
    assert version == await store.articles_version()
    assert await store.search_with_version("   ", limit=5) == ([], version)
