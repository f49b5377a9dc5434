"""Mapping between `Article` and rows of the SQLite `articles` and `article_tags` tables."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.models import Article

COLUMNS = """
    a.id, a.url, a.source, a.title, a.published, a.fetched, a.language, a.text, a.story_id,
    a.sentence_spans,
    (SELECT json_group_array(tag) FROM
        (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY position)) AS tags
"""

INSERT = """
    INSERT INTO articles
        (when_ts, content_hash, url, source, language, published, fetched, title, text,
         sentence_spans)
    VALUES (:when_ts, :content_hash, :url, :source, :language, :published, :fetched,
            :title, :text, :sentence_spans)
"""

UPDATE = """
    UPDATE articles SET when_ts = :when_ts, content_hash = :content_hash, source = :source,
        language = :language, published = :published, fetched = :fetched, title = :title,
        text = :text, sentence_spans = :sentence_spans
    WHERE id = :id
"""


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_text(moment: datetime | None) -> str | None:
    """A datetime as UTC ISO 8601 text for the database."""
    return None if moment is None else _utc(moment).isoformat()


def _from_text(text: str) -> datetime:
    """Stored ISO 8601 text back into an aware UTC datetime."""
    return _utc(datetime.fromisoformat(text))


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags stripped, without blanks or repeats, in their original order."""
    return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


def row_values(article: Article) -> dict[str, Any]:
    """The `articles` columns of an article, as named SQL parameters."""
    return {
        "when_ts": _utc(article.when).timestamp(),
        "content_hash": article.content_hash,
        "url": article.url or None,
        "source": article.source,
        "language": article.language,
        "published": to_text(article.published),
        "fetched": to_text(article.fetched),
        "title": article.title,
        "text": article.text,
        "sentence_spans": article.sentence_spans or None,
    }


def article_from_row(row: sqlite3.Row) -> Article:
    """An `Article` from a row selected with `COLUMNS`."""
    return Article(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        published=_from_text(row["published"]) if row["published"] else None,
        fetched=_from_text(row["fetched"]),
        language=row["language"],
        text=row["text"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        story_id=row["story_id"],
        sentence_spans=row["sentence_spans"] or "",
    )
