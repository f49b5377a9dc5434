"""A counter every article write moves, for `Store.articles_version`.

SQLite also gets the (unused) fleet pacing table, so both backends hold the same tables.

It replaces per-backend tokens (SQLite's data_version, PostgreSQL's max(id)) that missed
another instance's in-place update of an article.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create store_state with its one row."""
    table = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("articles_version", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.bulk_insert(table, [{"id": 1, "articles_version": 0}])
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL has had it from the start
        op.create_table(
            "rate_limits",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("tat", sa.Double, nullable=False),
        )
