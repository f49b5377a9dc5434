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


# Subscriptions, per-chat settings with the digest schedule and its claim (a lease, so that
# several workers can share the database), the delivery log (exactly-once digests) and
# short ids for topic texts in button callback data. Times are Unix seconds (REAL) where the
# store compares them, ISO 8601 text where it only shows them.
_V2_SUBSCRIPTIONS = (
    """
    CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        topic TEXT NOT NULL,
        must TEXT NOT NULL DEFAULT '[]',
        must_not TEXT NOT NULL DEFAULT '[]',
        created TEXT NOT NULL,
        UNIQUE (chat_id, topic)
    )
    """,
    """
    CREATE TABLE chat_settings (
        chat_id INTEGER PRIMARY KEY,
        length TEXT NOT NULL DEFAULT 'normal',
        frequency TEXT NOT NULL DEFAULT 'daily',
        digest_hour INTEGER NOT NULL DEFAULT 8,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        quiet_start INTEGER,
        quiet_end INTEGER,
        muted_sources TEXT NOT NULL DEFAULT '[]',
        blocked INTEGER NOT NULL DEFAULT 0,
        next_due REAL,
        claimed_by TEXT,
        claimed_until REAL
    )
    """,
    "CREATE INDEX chat_settings_due ON chat_settings (next_due) WHERE next_due IS NOT NULL",
    """
    CREATE TABLE deliveries (
        chat_id INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        message_id INTEGER,
        sent_at REAL NOT NULL,
        PRIMARY KEY (chat_id, article_id)
    ) WITHOUT ROWID
    """,
    "CREATE TABLE topics (id INTEGER PRIMARY KEY, query TEXT NOT NULL UNIQUE)",
)


# Web ingestion: feeds with their polling state, which entry of which feed became which
# article, every URL an article is known by (dedup keys), per-site line counts (repeated
# lines are boilerplate), stories with their sources, and MinHash signatures with their LSH
# band keys for near-duplicate lookup.
_V3_FEEDS = (
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        interval_s INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        etag TEXT,
        last_modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_success TEXT,
        next_poll REAL NOT NULL DEFAULT 0,
        added TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE feed_entries (
        feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
        entry_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
        seen TEXT NOT NULL,
        PRIMARY KEY (feed_id, entry_key)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX feed_entries_article ON feed_entries (article_id)",
    """
    CREATE TABLE article_urls (
        url TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
    ) WITHOUT ROWID
    """,
    "CREATE INDEX article_urls_article ON article_urls (article_id)",
    """
    CREATE TABLE site_lines (
        site TEXT NOT NULL,
        line_key TEXT NOT NULL,
        articles INTEGER NOT NULL,
        last_seen REAL NOT NULL,
        PRIMARY KEY (site, line_key)
    ) WITHOUT ROWID
    """,
    "CREATE TABLE stories (id INTEGER PRIMARY KEY, created TEXT NOT NULL)",
    "ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id)",
    "CREATE INDEX articles_story ON articles (story_id)",
    """
    CREATE TABLE story_sources (
        story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
        seen TEXT NOT NULL,
        PRIMARY KEY (story_id, url)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE article_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        shingles INTEGER NOT NULL,
        signature BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE signature_bands (
        band INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (band, article_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX signature_bands_article ON signature_bands (article_id)",
)

# v4: where each article's sentences are, found once at ingestion (`Article.sentence_spans`);
# NULL for articles stored before, which the summarizer splits when it reads them.
_V4_SENTENCES = ("ALTER TABLE articles ADD COLUMN sentence_spans TEXT",)

# v5: webhook updates already taken (`claim_update`): Telegram resends an update whose answer
# was lost, possibly to another instance; each is handled once. Rows older than a day go.
_V5_UPDATES = (
    "CREATE TABLE updates_seen (update_id INTEGER PRIMARY KEY, seen REAL NOT NULL)",
    "CREATE INDEX updates_seen_seen ON updates_seen (seen)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _V1,
    _V2_SUBSCRIPTIONS,
    _V3_FEEDS,
    _V4_SENTENCES,
    _V5_UPDATES,
)
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


async def _is_blank(db: aiosqlite.Connection) -> bool:
    """Whether the file holds no tables at all (a database this process just created)."""
    async with db.execute("SELECT count(*) FROM sqlite_master") as cursor:
        row = await cursor.fetchone()
    return not row or int(row[0]) == 0


async def open_schema(db: aiosqlite.Connection, path: str, *, auto_migrate: bool) -> None:
    """The schema gate of `open()`: create a new file, refuse an older schema unless
    `auto_migrate` (then `newsbot db migrate` upgrades it), refuse a newer one always."""
    version = await schema_version(db)
    _check_not_newer(version, path)
    if version < SCHEMA_VERSION and not auto_migrate and not await _is_blank(db):
        raise SchemaError(
            f"database {path} has schema version {version}, this newsbot needs "
            f"{SCHEMA_VERSION}: run `newsbot db migrate` (or set AUTO_MIGRATE=true)"
        )
    await migrate(db, path)
