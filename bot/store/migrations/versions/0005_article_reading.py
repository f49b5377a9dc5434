"""Each article's sentences as topic summaries read them, stored at ingestion (`Article.reading`).

NULL for articles stored before: the summarizer reads those from their text, as it did.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add articles.reading."""
    op.add_column("articles", sa.Column("reading", sa.Text))
