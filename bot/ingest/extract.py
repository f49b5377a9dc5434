"""HTML → article: trafilatura's main-text extraction and metadata, then `clean_text`.

Used for local `.html` files and (later) fetched web pages alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import trafilatura

from bot.errors import IngestError
from bot.ingest.clean import clean_text
from bot.ingest.records import normalize_tags, parse_datetime


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The article found in an HTML page: cleaned text and whatever metadata the page had."""

    title: str | None
    text: str
    url: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()


def extract_html(html: str | bytes, url: str | None = None) -> ExtractedPage:
    """Extract the main article of a page; raises IngestError when there is none."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, favor_precision=True, with_metadata=True, include_comments=False
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on malformed input
        raise IngestError(f"cannot parse HTML: {exc}") from exc
    if document is None:
        raise IngestError("no article text found in the page")
    fields = document if isinstance(document, dict) else document.as_dict()
    body = fields.get("text")
    if not isinstance(body, str) or not body.strip():
        raise IngestError("no article text found in the page")
    title = _clean_title(fields.get("title"))
    text = clean_text(_drop_leading_title(body, title))
    if not text:
        raise IngestError("no article text left after cleaning")
    return ExtractedPage(
        title=title,
        text=text,
        url=_str_or_none(fields.get("url")) or url,
        published=_safe_date(fields.get("date")),
        sitename=_str_or_none(fields.get("sitename")),
        language=_str_or_none(fields.get("language")),
        tags=normalize_tags([*(fields.get("categories") or []), *(fields.get("tags") or [])]),
    )


def _clean_title(title: object) -> str | None:
    """The page title with whitespace normalized, or None when blank."""
    if not isinstance(title, str):
        return None
    return " ".join(title.split()) or None


def _drop_leading_title(text: str, title: str | None) -> str:
    """The body without a first line that repeats the headline (trafilatura keeps the h1)."""
    first, _, rest = text.lstrip().partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold():
        return rest
    return text


def _safe_date(value: object) -> datetime | None:
    """The page date, or None when it is missing or malformed (metadata is best-effort)."""
    try:
        return parse_datetime(value)
    except IngestError:
        return None


def _str_or_none(value: object) -> str | None:
    """A non-blank string metadata field, or None."""
    return value.strip() or None if isinstance(value, str) else None
