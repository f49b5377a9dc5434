"""The SQLite schema and its migrations, versioned with `PRAGMA user_version`.

`MIGRATIONS[n]` takes a database from version n to n + 1. To change the schema, append a
step (never edit a released one); `migrate` applies the missing steps in order, each in its
own transaction together with the new version number.
"""

from __future__ import annotations

import aiosqlite

from bot.errors import SchemaError

# Column order matters for speed: ranking reads `when_ts` for every matching article, and
# SQLite stops decoding a row at the last column it needs, before the long `text`.
_V1 = (
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        when_ts REAL NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        url TEXT UNIQUE,
        source TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        published TEXT,
        fetched TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL
    )
    """,
    "CREATE INDEX articles_when ON articles (when_ts DESC, id DESC)",
    "CREATE INDEX articles_source ON articles (source)",
    """
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (article_id, position),
        UNIQUE (article_id, tag)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX article_tags_tag ON article_tags (tag)",
    # rowid = articles.id; columns hold the analyzed text from `bot.store.fts.index_text`.
    """
    CREATE VIRTUAL TABLE article_fts USING fts5 (
        title, body, tokenize = 'unicode61 remove_diacritics 0'
    )
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


async def schema_version(db: aiosqlite.Connection) -> int:
    """The version recorded in the database file (0 for a new file)."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _check_not_newer(version: int, path: str) -> None:
    """Refuse a database written by a newer release: we cannot know its schema."""
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"database {path} has schema version {version}, but this newsbot only knows "
            f"versions up to {SCHEMA_VERSION}; upgrade newsbot or use another DATABASE_URL"
        )


async def _apply(db: aiosqlite.Connection, target: int) -> None:
    """Run the step that leads to version `target` and record it, in one transaction."""
    for statement in MIGRATIONS[target - 1]:
        await db.execute(statement)
    await db.execute(f"PRAGMA user_version = {int(target)}")


async def migrate(db: aiosqlite.Connection, path: str) -> None:
    """Bring the schema up to `SCHEMA_VERSION`; the connection must be in autocommit mode."""
    _check_not_newer(await schema_version(db), path)
    while (version := await schema_version(db)) < SCHEMA_VERSION:
        # IMMEDIATE takes the write lock first, so two processes opening a new file at
        # once cannot both run the same step; the version is read again under the lock.
        await db.execute("BEGIN IMMEDIATE")
        try:
            current = await schema_version(db)
            if current == version:
                await _apply(db, version + 1)
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
    _check_not_newer(await schema_version(db), path)
