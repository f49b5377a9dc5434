"""Mapping between `Article` and rows of the PostgreSQL `articles` and `article_tags` tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.models import Article

COLUMNS = """
    a.id, a.url, a.source, a.title, a.published, a.fetched, a.language, a.text, a.story_id,
    ARRAY(SELECT t.tag FROM article_tags AS t WHERE t.article_id = a.id ORDER BY t.position),
    a.sentence_spans
"""


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def article_from_row(row: Sequence[Any]) -> Article:
    """An `Article` from a row that starts with `COLUMNS`."""
    return Article(
        id=int(row[0]),
        url=row[1],
        source=row[2],
        title=row[3],
        published=utc(row[4]) if row[4] is not None else None,
        fetched=utc(row[5]),
        language=row[6],
        text=row[7],
        story_id=None if row[8] is None else int(row[8]),
        tags=tuple(row[9]),
        sentence_spans=row[10] or "",
    )
