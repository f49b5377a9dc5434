"""Webhook updates already taken (`claim_update`), shared by every instance.

Telegram resends an update whose answer was lost, possibly to another instance; each is
handled once. Rows older than a day go. SQLite `user_version` 5, PostgreSQL `schema_version` 3.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create updates_seen."""
    op.create_table(
        "updates_seen",
        sa.Column(
            "update_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("seen", sa.Double, nullable=False),
    )
    op.create_index("updates_seen_seen", "updates_seen", ["seen"])
