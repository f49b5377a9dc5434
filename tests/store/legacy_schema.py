"""Databases as the newsbot before Alembic made them: the fixture generator of the upgrade tests.

The statements are that release's migrations, verbatim (SQLite `PRAGMA user_version` 1-5,
PostgreSQL `schema_version` 1-3), so the tests upgrade exactly what deployments hold.
"""

from __future__ import annotations

import sqlite3

import psycopg

# SQLite.
# Column order matters for speed: ranking reads `when_ts` for every matching article, and
# SQLite stops decoding a row at the last column it needs, before the long `text`.
_SQLITE_V1 = (
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
_SQLITE_V2 = (
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
_SQLITE_V3 = (
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
_SQLITE_V4 = ("ALTER TABLE articles ADD COLUMN sentence_spans TEXT",)

# v5: webhook updates already taken (`claim_update`): Telegram resends an update whose answer
# was lost, possibly to another instance; each is handled once. Rows older than a day go.
_SQLITE_V5 = (
    "CREATE TABLE updates_seen (update_id INTEGER PRIMARY KEY, seen REAL NOT NULL)",
    "CREATE INDEX updates_seen_seen ON updates_seen (seen)",
)

SQLITE = (_SQLITE_V1, _SQLITE_V2, _SQLITE_V3, _SQLITE_V4, _SQLITE_V5)

# PostgreSQL.
_PG_V1 = (
    """
    CREATE TABLE articles (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        when_ts DOUBLE PRECISION NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        url TEXT UNIQUE,
        source TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        published TIMESTAMPTZ,
        fetched TIMESTAMPTZ NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL
    )
    """,
    "CREATE INDEX articles_when ON articles (when_ts DESC, id DESC)",
    "CREATE INDEX articles_source ON articles (source)",
    """
    CREATE TABLE article_tags (
        article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (article_id, position),
        UNIQUE (article_id, tag)
    )
    """,
    "CREATE INDEX article_tags_tag ON article_tags (tag)",
    # The search side table: small rows (no article text) so ranking reads little. `tsv`
    # holds the analyzed text of `bot.store.fts.index_text`, title weighted A, body B.
    # Ranking reads the tsvector of every match: kept compressed in the row itself (not in
    # TOAST, one index lookup and several chunks away) it is read about 3x faster.
    """
    CREATE TABLE article_fts (
        article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        when_ts DOUBLE PRECISION NOT NULL,
        tsv TSVECTOR NOT NULL
    ) WITH (toast_tuple_target = 8160)
    """,
    "ALTER TABLE article_fts ALTER COLUMN tsv SET STORAGE MAIN",
    "CREATE INDEX article_fts_tsv ON article_fts USING GIN (tsv)",
    """
    CREATE TABLE subscriptions (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        chat_id BIGINT NOT NULL,
        topic TEXT NOT NULL,
        must TEXT[] NOT NULL DEFAULT '{}',
        must_not TEXT[] NOT NULL DEFAULT '{}',
        created TIMESTAMPTZ NOT NULL,
        UNIQUE (chat_id, topic)
    )
    """,
    # Per-chat settings with the digest schedule and its lease; times the store compares
    # are Unix seconds, as in the SQLite schema.
    """
    CREATE TABLE chat_settings (
        chat_id BIGINT PRIMARY KEY,
        length TEXT NOT NULL DEFAULT 'normal',
        frequency TEXT NOT NULL DEFAULT 'daily',
        digest_hour INTEGER NOT NULL DEFAULT 8,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        quiet_start INTEGER,
        quiet_end INTEGER,
        muted_sources TEXT[] NOT NULL DEFAULT '{}',
        blocked BOOLEAN NOT NULL DEFAULT FALSE,
        next_due DOUBLE PRECISION,
        claimed_by TEXT,
        claimed_until DOUBLE PRECISION
    )
    """,
    "CREATE INDEX chat_settings_due ON chat_settings (next_due) WHERE next_due IS NOT NULL",
    """
    CREATE TABLE deliveries (
        chat_id BIGINT NOT NULL,
        article_id BIGINT NOT NULL,
        message_id BIGINT,
        sent_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (chat_id, article_id)
    )
    """,
    """
    CREATE TABLE topics (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        query TEXT NOT NULL UNIQUE
    )
    """,
    # Web ingestion (the FeedStore half), mirroring the SQLite schema's version 3.
    """
    CREATE TABLE stories (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        created TIMESTAMPTZ NOT NULL
    )
    """,
    "ALTER TABLE articles ADD COLUMN story_id BIGINT REFERENCES stories (id)",
    "CREATE INDEX articles_story ON articles (story_id)",
    """
    CREATE TABLE feeds (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        interval_s INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        etag TEXT,
        last_modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_success TIMESTAMPTZ,
        next_poll DOUBLE PRECISION NOT NULL DEFAULT 0,
        added TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE feed_entries (
        feed_id BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
        entry_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
        seen TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (feed_id, entry_key)
    )
    """,
    "CREATE INDEX feed_entries_article ON feed_entries (article_id)",
    """
    CREATE TABLE article_urls (
        url TEXT PRIMARY KEY,
        article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX article_urls_article ON article_urls (article_id)",
    """
    CREATE TABLE site_lines (
        site TEXT NOT NULL,
        line_key TEXT NOT NULL,
        articles INTEGER NOT NULL,
        last_seen DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (site, line_key)
    )
    """,
    """
    CREATE TABLE story_sources (
        story_id BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
        seen TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (story_id, url)
    )
    """,
    """
    CREATE TABLE article_signatures (
        article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        shingles INTEGER NOT NULL,
        signature BYTEA NOT NULL
    )
    """,
    """
    CREATE TABLE signature_bands (
        band BIGINT NOT NULL,
        article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (band, article_id)
    )
    """,
    "CREATE INDEX signature_bands_article ON signature_bands (article_id)",
    # Fleet-wide send pacing (bot.fleet): theoretical arrival time per key, epoch seconds.
    "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL)",
)

# v2: where each article's sentences are, found once at ingestion (`Article.sentence_spans`);
# NULL for articles stored before, which the summarizer splits when it reads them.
_PG_V2 = ("ALTER TABLE articles ADD COLUMN sentence_spans TEXT",)

# v3: webhook updates already taken (`claim_update`), shared by every instance.
_PG_V3 = (
    "CREATE TABLE updates_seen (update_id BIGINT PRIMARY KEY, seen DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX updates_seen_seen ON updates_seen (seen)",
)

POSTGRES = (_PG_V1, _PG_V2, _PG_V3)


def make_sqlite(path: str, version: int) -> None:
    """A SQLite file at legacy `version`."""
    with sqlite3.connect(path) as db:
        for step in SQLITE[:version]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {version}")


def make_postgres(url: str, version: int) -> None:
    """A PostgreSQL schema at legacy `version` (the URL's search path)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for step in POSTGRES[:version]:
            for statement in step:
                conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (%s)", (version,))
