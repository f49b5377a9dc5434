"""Where each article's sentences are, found once at ingestion (`Article.sentence_spans`).

NULL for articles stored before, which the summarizer splits when it reads them.
SQLite `user_version` 4, PostgreSQL `schema_version` 2.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add articles.sentence_spans."""
    op.add_column("articles", sa.Column("sentence_spans", sa.Text))
