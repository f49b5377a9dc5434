"""Articles, subscriptions, digests, feeds and stories: the schema before Alembic.

What a SQLite store at `PRAGMA user_version` 3 and a PostgreSQL store at `schema_version` 1
held (such databases are stamped with this revision, not rebuilt: see `bot.store.migrate`).
Times the store compares are Unix seconds, times it only shows are TIMESTAMPTZ or ISO text.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.tables import TextList, UtcTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NO_ROWID = {"sqlite_with_rowid": False}  # SQLite: the primary key is the table

# Column order matters on SQLite: ranking reads `when_ts` for every match, and SQLite stops
# decoding a row at the last column it needs, before the long `text`.
_FTS5 = """
    CREATE VIRTUAL TABLE article_fts USING fts5 (
        title, body, tokenize = 'unicode61 remove_diacritics 0'
    )
"""
# PostgreSQL's search side table: small rows (no article text) so ranking reads little;
# the tsvector is kept compressed in the row (STORAGE MAIN), not in TOAST, ~3x faster.
_TSV = (
    """
    CREATE TABLE article_fts (
        article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        when_ts DOUBLE PRECISION NOT NULL,
        tsv TSVECTOR NOT NULL
    ) WITH (toast_tuple_target = 8160)
    """,
    "ALTER TABLE article_fts ALTER COLUMN tsv SET STORAGE MAIN",
    "CREATE INDEX article_fts_tsv ON article_fts USING GIN (tsv)",
    "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL)",
)


def _id() -> sa.Column[int]:
    """An id column: BIGINT identity on PostgreSQL, the rowid on SQLite."""
    return sa.Column("id", ID, sa.Identity(), primary_key=True)


def _ref(
    name: str,
    target: str,
    on_delete: str | None = None,
    *,
    nullable: bool = True,
    key: bool = False,
) -> sa.Column[int]:
    """A column referencing `target` (table.column); `key`: the primary key."""
    foreign = sa.ForeignKey(target, ondelete=on_delete)
    return sa.Column(name, ID, foreign, nullable=nullable and not key, primary_key=key)


def _articles() -> None:
    """Articles, their tags, URLs, stories and near-duplicate signatures."""
    op.create_table("stories", _id(), sa.Column("created", UtcTime, nullable=False))
    op.create_table(
        "articles",
        _id(),
        sa.Column("when_ts", sa.Double, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False, unique=True),
        sa.Column("url", sa.Text, unique=True),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.Text, nullable=False, server_default=""),
        sa.Column("published", UtcTime),
        sa.Column("fetched", UtcTime, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        _ref("story_id", "stories.id"),
    )
    op.create_index("articles_when", "articles", [sa.text("when_ts DESC"), sa.text("id DESC")])
    op.create_index("articles_source", "articles", ["source"])
    op.create_index("articles_story", "articles", ["story_id"])
    op.create_table(
        "article_tags",
        _ref("article_id", "articles.id", "CASCADE", nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("tag", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
        sa.UniqueConstraint("article_id", "tag"),
        **NO_ROWID,
    )
    op.create_index("article_tags_tag", "article_tags", ["tag"])
    op.create_table(
        "article_urls",
        sa.Column("url", sa.Text, primary_key=True),
        _ref("article_id", "articles.id", "CASCADE", nullable=False),
        **NO_ROWID,
    )
    op.create_index("article_urls_article", "article_urls", ["article_id"])
    op.create_table(
        "story_sources",
        _ref("story_id", "stories.id", "CASCADE", nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        _ref("article_id", "articles.id", "SET NULL"),
        sa.Column("seen", UtcTime, nullable=False),
        sa.PrimaryKeyConstraint("story_id", "url"),
        **NO_ROWID,
    )
    op.create_table(
        "article_signatures",
        _ref("article_id", "articles.id", "CASCADE", key=True),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "signature_bands",
        sa.Column("band", sa.BigInteger, nullable=False),
        _ref("article_id", "articles.id", "CASCADE", nullable=False),
        sa.PrimaryKeyConstraint("band", "article_id"),
        **NO_ROWID,
    )
    op.create_index("signature_bands_article", "signature_bands", ["article_id"])


def _feeds() -> None:
    """Feeds with their polling state, their entries and per-site line counts."""
    op.create_table(
        "feeds",
        _id(),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("last_success", UtcTime),
        sa.Column("next_poll", sa.Double, nullable=False, server_default="0"),
        sa.Column("added", UtcTime, nullable=False),
    )
    op.create_table(
        "feed_entries",
        _ref("feed_id", "feeds.id", "CASCADE", nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        _ref("article_id", "articles.id", "SET NULL"),
        sa.Column("seen", UtcTime, nullable=False),
        sa.PrimaryKeyConstraint("feed_id", "entry_key"),
        **NO_ROWID,
    )
    op.create_index("feed_entries_article", "feed_entries", ["article_id"])
    op.create_table(
        "site_lines",
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("line_key", sa.Text, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("last_seen", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("site", "line_key"),
        **NO_ROWID,
    )


def _subscriptions() -> None:
    """Subscriptions, chat settings with the digest schedule, deliveries, topic ids."""
    op.create_table(
        "subscriptions",
        _id(),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("must", TextList, nullable=False, server_default=_empty_list()),
        sa.Column("must_not", TextList, nullable=False, server_default=_empty_list()),
        sa.Column("created", UtcTime, nullable=False),
        sa.UniqueConstraint("chat_id", "topic"),
    )
    op.create_table(
        "chat_settings",
        sa.Column("chat_id", ID, primary_key=True, autoincrement=False),
        sa.Column("length", sa.Text, nullable=False, server_default="normal"),
        sa.Column("frequency", sa.Text, nullable=False, server_default="daily"),
        sa.Column("digest_hour", sa.Integer, nullable=False, server_default="8"),
        sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
        sa.Column("quiet_start", sa.Integer),
        sa.Column("quiet_end", sa.Integer),
        sa.Column("muted_sources", TextList, nullable=False, server_default=_empty_list()),
        sa.Column("blocked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("next_due", sa.Double),
        sa.Column("claimed_by", sa.Text),
        sa.Column("claimed_until", sa.Double),
    )
    op.create_index(
        "chat_settings_due",
        "chat_settings",
        ["next_due"],
        sqlite_where=sa.text("next_due IS NOT NULL"),
        postgresql_where=sa.text("next_due IS NOT NULL"),
    )
    op.create_table(
        "deliveries",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("article_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("sent_at", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "article_id"),
        **NO_ROWID,
    )
    op.create_table("topics", _id(), sa.Column("query", sa.Text, nullable=False, unique=True))


def _empty_list() -> sa.TextClause:
    """The empty list as a column default of `TextList`."""
    return sa.text("'{}'" if op.get_bind().dialect.name == "postgresql" else "'[]'")


def upgrade() -> None:
    """Create the schema as it was before Alembic took over."""
    _articles()
    _feeds()
    _subscriptions()
    if op.get_bind().dialect.name == "postgresql":
        for statement in _TSV:
            op.execute(statement)
    else:
        op.execute(_FTS5)
