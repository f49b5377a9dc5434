"""Every table of the store, declared once with SQLAlchemy Core for both backends.

Queries (`articles.py`, `feeds.py`, `subscriptions.py`) are built from these; the schema
itself is made and changed by the Alembic history in `bot.store.migrations` (indexes live
there; a test checks that a migrated database has exactly these tables and columns, on both
backends). Where the backends store a value differently the column type says so once:
`UtcTime` is TIMESTAMPTZ on PostgreSQL and ISO 8601 text on SQLite, `TextList` a TEXT[] or
JSON text, ids BIGINT identities or SQLite rowids. Times the store compares are Unix seconds
(`Seconds`) on both. The full-text index differs too much to declare here: FTS5 on SQLite,
a tsvector table on PostgreSQL (see `bot.store.dialects`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator, TypeEngine


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcTime(TypeDecorator[datetime]):
    """An aware UTC datetime: TIMESTAMPTZ on PostgreSQL, ISO 8601 text on SQLite.

    Binding also takes ISO text (what `newsbot db export` writes).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """TIMESTAMPTZ where the database has one."""
        if dialect.name == "postgresql":
            from sqlalchemy import DateTime

            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """datetime or ISO text → the column's value."""
        if value is None:
            return None
        moment = utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
        return moment if dialect.name == "postgresql" else moment.isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """The column's value → an aware UTC datetime."""
        if value is None:
            return None
        return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


class TextList(TypeDecorator[list[str]]):
    """A list of strings: TEXT[] on PostgreSQL, a JSON array in TEXT on SQLite."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """TEXT[] where the database has arrays."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Text()))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """A list (or JSON text, from an export) → the column's value."""
        if value is None:
            return None
        items = json.loads(value) if isinstance(value, str) else list(value)
        return items if dialect.name == "postgresql" else json.dumps(items, ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        """The column's value → a list."""
        if value is None:
            return []
        return list(json.loads(value) if isinstance(value, str) else value)


# BIGINT ids on PostgreSQL; INTEGER PRIMARY KEY (the rowid) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")
Seconds = Double  # Unix seconds, compared by the store

metadata = MetaData()


def _ref(target: str, on_delete: str | None = None) -> ForeignKey:
    """A foreign key to `target` (table.column)."""
    return ForeignKey(target, ondelete=on_delete)


stories = Table(
    "stories",
    metadata,
    Column("id", Id, primary_key=True),
    Column("created", UtcTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Id, primary_key=True),
    Column("when_ts", Seconds, nullable=False),  # published, else fetched
    Column("content_hash", Text, nullable=False, unique=True),
    Column("url", Text, unique=True),
    Column("source", Text, nullable=False, server_default=""),
    Column("language", Text, nullable=False, server_default=""),
    Column("published", UtcTime),
    Column("fetched", UtcTime, nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("story_id", Id, _ref("stories.id")),
    Column("sentence_spans", Text),
    Column("reading", Text),
)

article_tags = Table(
    "article_tags",
    metadata,
    Column("article_id", Id, _ref("articles.id", "CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("tag", Text, nullable=False),
    PrimaryKeyConstraint("article_id", "position"),
    UniqueConstraint("article_id", "tag"),
)

article_urls = Table(
    "article_urls",
    metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", Id, _ref("articles.id", "CASCADE"), nullable=False),
)

article_signatures = Table(
    "article_signatures",
    metadata,
    Column("article_id", Id, _ref("articles.id", "CASCADE"), primary_key=True),
    Column("shingles", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

signature_bands = Table(
    "signature_bands",
    metadata,
    Column("band", BigInteger, nullable=False),
    Column("article_id", Id, _ref("articles.id", "CASCADE"), nullable=False),
    PrimaryKeyConstraint("band", "article_id"),
)

story_sources = Table(
    "story_sources",
    metadata,
    Column("story_id", Id, _ref("stories.id", "CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("article_id", Id, _ref("articles.id", "SET NULL")),
    Column("seen", UtcTime, nullable=False),
    PrimaryKeyConstraint("story_id", "url"),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Id, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False, server_default=""),
    Column("interval_s", Integer, nullable=False),
    Column("status", Text, nullable=False, server_default="active"),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_success", UtcTime),
    Column("next_poll", Seconds, nullable=False, server_default="0"),
    Column("added", UtcTime, nullable=False),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed_id", Id, _ref("feeds.id", "CASCADE"), nullable=False),
    Column("entry_key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("article_id", Id, _ref("articles.id", "SET NULL")),
    Column("seen", UtcTime, nullable=False),
    PrimaryKeyConstraint("feed_id", "entry_key"),
)

site_lines = Table(
    "site_lines",
    metadata,
    Column("site", Text, nullable=False),
    Column("line_key", Text, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("last_seen", Seconds, nullable=False),
    PrimaryKeyConstraint("site", "line_key"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("must", TextList, nullable=False, server_default="[]"),
    Column("must_not", TextList, nullable=False, server_default="[]"),
    Column("created", UtcTime, nullable=False),
    UniqueConstraint("chat_id", "topic"),
)

# Per-chat settings with the digest schedule and its claim (a lease: several workers, or
# several bot instances, share the database and each digest still goes out once).
chat_settings = Table(
    "chat_settings",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("length", Text, nullable=False, server_default="normal"),
    Column("frequency", Text, nullable=False, server_default="daily"),
    Column("digest_hour", Integer, nullable=False, server_default="8"),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("quiet_start", Integer),
    Column("quiet_end", Integer),
    Column("muted_sources", TextList, nullable=False, server_default="[]"),
    Column("blocked", Boolean, nullable=False, server_default="0"),
    Column("next_due", Seconds),
    Column("claimed_by", Text),
    Column("claimed_until", Seconds),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("chat_id", BigInteger, nullable=False),
    Column("article_id", BigInteger, nullable=False),
    Column("message_id", BigInteger),
    Column("sent_at", Seconds, nullable=False),
    PrimaryKeyConstraint("chat_id", "article_id"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Id, primary_key=True),
    Column("query", Text, nullable=False, unique=True),
)

# Webhook updates already taken (`claim_update`); rows older than a day go.
updates_seen = Table(
    "updates_seen",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("seen", Seconds, nullable=False),
)

# Fleet-wide send pacing (bot.transport.ratelimit): theoretical arrival time per key, Unix seconds.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", Text, primary_key=True),
    Column("tat", Seconds, nullable=False),
)

# One row: a counter that every article write moves (`Store.articles_version`), so that
# cached answers notice articles added or changed by any process or instance.
store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("articles_version", BigInteger, nullable=False, server_default="0"),
)
