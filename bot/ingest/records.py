"""Article records (JSON objects) → `Article`: field aliases, dates, languages, sources.

Shared by every ingest module so that a date, a language code or a source name means the
same thing whichever input it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import IngestError
from bot.ingest.clean import clean_text, tidy_quotes
from bot.models import Article
from bot.summarize.document import split_once
from bot.summarize.language import detect_language
from bot.summarize.reading import reading_of
from bot.summarize.tokenizer import make_tokenizer

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_MAX_TAGS = 20


def article_from_record(
    record: object, *, fallback_source: str = "local", source: str | None = None
) -> Article:
    """An Article from one JSON object; `source`, if given, overrides the record's own."""
    if not isinstance(record, Mapping):
        raise IngestError("not a JSON object")
    title = " ".join(tidy_quotes(_required_text(record, "title")).split())
    text = clean_text(_required_text(record, "text"))
    if not text:
        raise IngestError("no article text left after cleaning")
    url = _optional_str(record, "url")
    return Article(
        title=title,
        text=text,
        url=url,
        source=source
        or _optional_str(record, "source", "site")
        or host_name(url)
        or fallback_source,
        published=parse_datetime(_first(record, "published", "date")),
        language=language_code(_optional_str(record, "language", "lang"), f"{title}\n{text}"),
        tags=normalize_tags(_first(record, "tags", "categories")),
    )


def source_name(url: str | None, path: Path | None) -> str:
    """Source of an article without one: the URL's host, else the file's folder, else "local"."""
    return host_name(url) or (path.parent.name if path is not None else "") or "local"


def host_name(url: str | None) -> str:
    """The host of a URL without "www.", or "" when there is none."""
    if not url:
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def parse_datetime(value: object) -> datetime | None:
    """An ISO date or datetime as a UTC-aware datetime (naive values are taken as UTC)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise IngestError(f"date {value!r} is not an ISO date string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise IngestError(f"date {value!r} is not an ISO date or datetime") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def language_code(given: str | None, text: str) -> str:
    """ISO 639-1 code: the given one normalized ("en-GB" → "en"), else detected from text."""
    if given:
        code = re.split(r"[-_]", given.strip().lower(), maxsplit=1)[0]
        if _LANGUAGE_CODE.match(code):
            return code
    return detect_language(text)


def with_sentences(article: Article) -> Article:
    """The article with its sentences located and read once (split, cleaned, stemmed), so
    summaries need not do it again for every request."""
    tokenizer = make_tokenizer(article.language or detect_language(article.text))
    split = replace(article, sentence_spans=split_once(article.text, tokenizer))
    return replace(split, reading=reading_of(split))


def normalize_tags(value: object) -> tuple[str, ...]:
    """Tags from a list of strings or one comma-separated string, stripped and deduplicated."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise IngestError("'tags' must be a list of strings")
    tags = (" ".join(item.split()) for item in items if isinstance(item, str))
    return tuple(dict.fromkeys(tag for tag in tags if tag))[:_MAX_TAGS]


def _first(record: Mapping[str, object], *keys: str) -> object:
    """The value of the first key present with a non-empty value."""
    for key in keys:
        value = record.get(key)
        if value not in (None, "", []):
            return value
    return None


def _optional_str(record: Mapping[str, object], *keys: str) -> str | None:
    """The first of `keys` as a stripped string, or None; a non-string value is an error."""
    value = _first(record, *keys)
    if value is None:
        return None
    if not isinstance(value, str):
        raise IngestError(f"{keys[0]!r} must be a string")
    return value.strip() or None


def _required_text(record: Mapping[str, object], key: str) -> str:
    """A required, non-blank string field."""
    value = _optional_str(record, key)
    if value is None:
        raise IngestError(f"missing {key!r}")
    return value
