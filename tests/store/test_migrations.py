"""The schema's Alembic history: new databases, databases from before Alembic, the gate.

Databases from the release before Alembic are built with that release's own statements
(`tests.store.legacy_schema`), filled with rows, upgraded with `newsbot db migrate`, and
must keep every row and work as stores. Fresh and upgraded databases must hold exactly the
tables and columns `bot.store.tables` declares, on both backends.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.errors import SchemaError
from bot.models import Article
from bot.store import open_store
from bot.store.dialects import dialect_for
from bot.store.engine import make_runner
from bot.store.migrate import FENCE, HEAD
from bot.store.sqlstore import SqlStore
from bot.store.tables import metadata
from tests.store.legacy_schema import make_postgres, make_sqlite

NOT_DECLARED = ("article_fts", "alembic_version", "schema_version")  # FTS: per dialect


def _sqlite_rows(path: str, version: int) -> None:
    """One of most things, as the legacy SQLite store wrote them."""
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO articles (id, when_ts, content_hash, url, source, published, fetched,"
            " title, text) VALUES (1, 1.7e9, 'h1', 'https://x.org/dam', 'X',"
            " '2023-11-14T22:13:20+00:00', '2023-11-14T22:13:20+00:00', 'Dam opens',"
            " 'The new dam opened on Monday.')"
        )
        db.execute("INSERT INTO article_fts (rowid, title, body) VALUES (1, 'dam open', 'dam')")
        db.execute("INSERT INTO article_tags VALUES (1, 0, 'energy')")
        db.execute(
            "INSERT INTO subscriptions (chat_id, topic, must, created)"
            " VALUES (7, 'dam', '[\"river\"]', '2023-11-14T22:13:20+00:00')"
        )
        db.execute(
            "INSERT INTO chat_settings (chat_id, muted_sources, blocked) VALUES (7, '[]', 1)"
        )
        db.execute("INSERT INTO topics (query) VALUES ('dam')")
        if version >= 4:
            db.execute("UPDATE articles SET sentence_spans = '0:29'")


def _postgres_rows(url: str, version: int) -> None:
    """The same rows, as the legacy PostgreSQL store wrote them."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO articles (id, when_ts, content_hash, url, source, published, fetched,"
            " title, text) OVERRIDING SYSTEM VALUE VALUES (1, 1.7e9, 'h1', 'https://x.org/dam',"
            " 'X', to_timestamp(1.7e9), to_timestamp(1.7e9), 'Dam opens',"
            " 'The new dam opened on Monday.')"
        )
        conn.execute(
            "INSERT INTO article_fts VALUES (1, 1.7e9, setweight(to_tsvector('simple', 'dam open'),"
            " 'A') || setweight(to_tsvector('simple', 'dam'), 'B'))"
        )
        conn.execute("INSERT INTO article_tags VALUES (1, 0, 'energy')")
        conn.execute(
            "INSERT INTO subscriptions (chat_id, topic, must, created)"
            " VALUES (7, 'dam', ARRAY['river'], to_timestamp(1.7e9))"
        )
        conn.execute("INSERT INTO chat_settings (chat_id, blocked) VALUES (7, TRUE)")
        conn.execute("INSERT INTO topics (query) VALUES ('dam')")
        if version >= 2:
            conn.execute("UPDATE articles SET sentence_spans = '0:29'")


def _about_declared_columns(diff: Any) -> bool:
    """Whether an Alembic difference is about a table or column `bot.store.tables` declares
    (indexes and constraints are the migrations' business; the FTS tables per dialect)."""
    first = diff[0] if isinstance(diff, list) else diff
    kind = first[0]
    if kind in {"add_table", "remove_table"}:
        table = first[1].name
    elif kind == "modify_nullable" and metadata.tables[first[2]].c[first[3]].primary_key:
        return False  # SQLite reflects an INTEGER PRIMARY KEY (the rowid) as nullable
    elif kind in {"add_column", "remove_column"} or kind.startswith("modify_"):
        table = first[2]
    else:
        return False
    return not str(table).startswith(NOT_DECLARED)


def _differences(url: str) -> list[Any]:
    """What differs between the database's tables and columns and `bot.store.tables`."""

    def compare(connection: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": False,  # TypeDecorators differ by dialect by design
                "include_name": lambda name, kind, _parent: (
                    kind != "table" or name not in NOT_DECLARED
                ),
                "include_object": lambda _obj, _name, kind, *_: kind in {"table", "column"},
            },
        )
        return [d for d in compare_metadata(context, metadata) if _about_declared_columns(d)]

    async def run() -> list[Any]:
        runner = make_runner(url, pool_size=1)
        try:
            return await runner.run(compare, "read")
        finally:
            await runner.dispose()

    return asyncio.run(run())


async def _revision(url: str) -> str | None:
    """The database's Alembic revision."""
    runner = make_runner(url, pool_size=1)
    try:
        return await runner.run(
            lambda c: MigrationContext.configure(c).get_current_revision(), "read"
        )
    finally:
        await runner.dispose()


async def _check_upgraded(url: str, *, spans: bool) -> None:
    """Every legacy row is there and the store works on it."""
    assert await _revision(url) == HEAD
    store = open_store(url)
    await store.open()
    try:
        article = await store.get_article(1)
        assert article is not None and article.title == "Dam opens"
        assert article.tags == ("energy",) and article.published is not None
        assert article.sentence_spans == ("0:29" if spans else "")
        assert [a.id for a in await store.search("dam")] == [1]
        [subscription] = await store.subscriptions(7)
        assert subscription.must == ("river",) and subscription.created.year == 2023
        assert (await store.chat_settings(7)).blocked is True
        assert await store.remember_topic("dam") == 1
        version = await store.articles_version()
        added = await store.add_article(article.__class__("Dam closes", "The dam closed again."))
        assert added.article_id == 2 and await store.articles_version() != version
        assert await store.claim_update(10, article.fetched)
    finally:
        await store.close()


@pytest.mark.parametrize("version", [3, 4, 5])
async def test_a_legacy_sqlite_store_upgrades_in_place(tmp_path: Path, version: int) -> None:
    path = str(tmp_path / "old.db")
    make_sqlite(path, version)
    _sqlite_rows(path, version)
    url = f"sqlite:///{path}"
    with pytest.raises(SchemaError, match="run `newsbot db migrate`"):
        await open_store(url).open()
    before, after = await SqlStore(url).migrate()
    assert before.legacy == version and after.revision == HEAD
    await _check_upgraded(url, spans=version >= 4)
    with sqlite3.connect(path) as db:  # the release before Alembic refuses it as newer
        assert db.execute("PRAGMA user_version").fetchone()[0] == FENCE
    assert await asyncio.to_thread(_differences, url) == []


@pytest.mark.parametrize("version", [1, 2, 3])
async def test_a_legacy_postgres_store_upgrades_in_place(pg_url: str, version: int) -> None:
    await asyncio.to_thread(make_postgres, pg_url, version)
    await asyncio.to_thread(_postgres_rows, pg_url, version)
    with pytest.raises(SchemaError, match="run `newsbot db migrate`"):
        await open_store(pg_url).open()
    before, after = await SqlStore(pg_url).migrate()
    assert before.legacy == version and after.revision == HEAD
    await _check_upgraded(pg_url, spans=version >= 2)
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        found = await (await conn.execute("SELECT version FROM schema_version")).fetchall()
    assert found == [(FENCE,)]
    assert await asyncio.to_thread(_differences, pg_url) == []


async def test_new_databases_hold_exactly_the_declared_tables(store_url: str) -> None:
    store = open_store(store_url, auto_migrate=True)
    await store.open()
    await store.close()
    assert await _revision(store_url) == HEAD
    assert await asyncio.to_thread(_differences, store_url) == []


async def test_chinese_articles_indexed_before_0007_are_found_in_either_script(
    store_url: str,
) -> None:
    """Revision 0007 analyzes Chinese articles again, traditional characters as simplified
    (`bot.hanzi`): an index row written before, with the characters as written, is replaced,
    so a reader typing simplified characters finds the traditional story."""
    store = open_store(store_url, auto_migrate=True)
    await store.open()
    try:
        added = await store.add_article(Article("臺灣經濟", "臺灣經濟成長率上修。", language="zh"))
    finally:
        await store.close()
    raw = {"id": added.article_id, "when_ts": 1.7e9, "title": "臺 灣 經 濟", "body": "臺 灣 經 濟"}

    def as_before(conn: sa.Connection) -> None:
        dialect_for(store_url).index(conn, [raw])
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0006'"))

    runner = make_runner(store_url, pool_size=1)
    try:
        await runner.run(as_before, "write")
    finally:
        await runner.dispose()
    before, after = await SqlStore(store_url).migrate()
    assert before.revision == "0006" and after.revision == HEAD
    store = open_store(store_url)
    await store.open()
    try:
        assert [a.id for a in await store.search("台湾经济")] == [added.article_id]
        assert [a.id for a in await store.search("臺灣經濟")] == [added.article_id]
    finally:
        await store.close()


async def test_a_sqlite_store_older_than_the_history_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "ancient.db")
    make_sqlite(path, 2)
    with pytest.raises(SchemaError, match="too old to upgrade: export it"):
        await SqlStore(f"sqlite:///{path}").migrate()


def _stamp_sqlite(path: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")


async def test_a_newer_schema_is_refused_always(db_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    store = open_store(url)
    await store.open()
    await store.close()
    _stamp_sqlite(str(db_path))
    for attempt in (open_store(url).open, open_store(url, auto_migrate=True).open):
        with pytest.raises(SchemaError, match="schema revision 9999, newer than this newsbot"):
            await attempt()
    with pytest.raises(SchemaError, match="newer"):
        await SqlStore(url).migrate()


async def test_an_unmigrated_postgres_schema_needs_migrate(pg_url: str) -> None:
    with pytest.raises(SchemaError, match="no schema, this newsbot needs revision"):
        await open_store(pg_url).open()
    before, after = await SqlStore(pg_url).migrate()
    assert before.blank and after.revision == HEAD
    again = await SqlStore(pg_url).migrate()
    assert again[0] == again[1]


@pytest.mark.parametrize("make", ["sqlite", "postgres"])
async def test_two_instances_migrating_at_once_run_each_step_once(
    make: str, request: pytest.FixtureRequest, db_path: Path
) -> None:
    url = f"sqlite:///{db_path}" if make == "sqlite" else str(request.getfixturevalue("pg_url"))
    if make == "sqlite":
        db_path.parent.mkdir(parents=True, exist_ok=True)
    results = await asyncio.gather(*(SqlStore(url).migrate() for _ in range(3)))
    upgrades = [before for before, after in results if before != after]
    assert len(upgrades) == 1 and all(after.revision == HEAD for _, after in results)


def test_the_gate_knows_alembics_head_without_alembic() -> None:
    """`migrate.HEAD`/`REVISIONS` come from file names; they must be what Alembic reads."""
    from alembic.script import ScriptDirectory

    from bot.store import migrate

    scripts = ScriptDirectory.from_config(migrate._config())
    assert scripts.get_current_head() == migrate.HEAD
    assert {script.revision for script in scripts.walk_revisions()} == migrate.REVISIONS


async def test_db_migrate_says_one_line(tmp_path: Path) -> None:
    """`newsbot db migrate` says its outcome in one line (on stderr, like every `db` action:
    `db export -` writes the dump to stdout), without Alembic's set-up chatter."""
    path = tmp_path / "older.db"
    store = open_store(f"sqlite:///{path}")
    await store.open()
    await store.close()
    with sqlite3.connect(path) as db:  # one revision back: 0006 only added this index
        db.execute("DROP INDEX articles_id_when")
        db.execute("UPDATE alembic_version SET version_num = '0005'")
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "db", "--database-url", f"sqlite:///{path}", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"migrated from schema revision 0005 to schema revision {HEAD}"
    ]
