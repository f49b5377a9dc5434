"""Chinese, Japanese and Korean articles indexed again, traditional characters as simplified.

Search reads every traditional Chinese character as its simplified form, in the query and in
the index (`bot.hanzi`), so that 台湾 finds 台灣 and the other way round. Rows indexed before
hold the characters as written: the articles in those languages are analyzed again (the
others' index rows do not change).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.dialects import dialect_named
from bot.store.tables import articles

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HANZI_LANGUAGES = ("zh", "ja", "ko")  # languages written with Chinese characters


def upgrade() -> None:
    """Re-index the articles in a language written with Chinese characters."""
    bind = op.get_bind()
    written = sa.func.lower(sa.func.substr(articles.c.language, 1, 2)).in_(HANZI_LANGUAGES)
    dialect_named(bind.dialect.name).reindex(bind, written)
