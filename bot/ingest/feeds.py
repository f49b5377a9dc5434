"""RSS/Atom feeds → entries, and feed discovery on a site's page. Pure parsing, no I/O.

feedparser reads bytes we fetched ourselves (its own HTTP has no timeout). A malformed
("bozo") feed keeps whatever entries were readable. Dates become UTC: published, else
updated; later steps fall back to the page's own date and then to when we first saw it.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from bot.ingest.fetch import FEED_TYPES
from bot.ingest.htmltext import html_to_text, strip_tags
from bot.ingest.pages import word_count
from bot.ingest.urls import resolve
from bot.models import utcnow

TEASER_WORDS = 100  # an entry with fewer words is a teaser: the article is on its page
MAX_ENTRIES = 100  # newest entries read per poll; a feed with more only shows recent ones
_TEASER_END = re.compile(
    r"(\.\.\.|…)\W*$|\b(read more|continue reading|read the full (story|article))\W*$",
    re.IGNORECASE,
)
_FUTURE = timedelta(days=1)  # a date further ahead than this is a wrong clock, not news


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item: what the feed says about an article."""

    key: str  # the entry's id, else its link, else a hash of its title
    link: str | None
    title: str
    text: str  # the entry's content or summary as plain text; maybe only a teaser
    published: datetime | None
    fingerprint: str  # changes whenever the entry does

    @property
    def teaser(self) -> bool:
        """Whether the entry holds only the start of the article (so its page is fetched)."""
        return word_count(self.text) < TEASER_WORDS or bool(_TEASER_END.search(self.text))


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title, site link and entries, with the parser's complaint if it had one."""

    title: str
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    version: str = ""
    problem: str | None = None

    @property
    def is_feed(self) -> bool:
        """Whether the document was a feed at all (an HTML page is not)."""
        return bool(self.version or self.entries)


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a fetched feed (RSS, Atom, JSON Feed); entries are kept from malformed XML."""
    json_feed = _json_feed(body)
    if json_feed is not None:
        return _parse_json_feed(json_feed, url)
    response_headers = {**(headers or {}), "content-location": url}
    import feedparser  # loaded with the first feed, not by every process that imports this

    parsed: Any = feedparser.parse(body, response_headers=response_headers)
    problem = None
    if parsed.get("bozo"):
        problem = str(parsed.get("bozo_exception") or "malformed feed")
    entries = [_entry(raw, url) for raw in parsed.entries[:MAX_ENTRIES]]
    channel = parsed.get("feed", {})
    site = channel.get("link")
    return ParsedFeed(
        title=strip_tags(str(channel.get("title") or "")),
        site_url=resolve(url, site) if isinstance(site, str) and site else None,
        entries=tuple(entry for entry in entries if entry.title or entry.text),
        version=str(parsed.get("version") or ""),
        problem=problem,
    )


def _json_feed(body: bytes) -> dict[str, Any] | None:
    """The document when it is a JSON Feed (jsonfeed.org, version 1 or 1.1), else None."""
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    feed: dict[str, Any] = document
    version = feed.get("version")
    return feed if isinstance(version, str) and "jsonfeed.org/version/" in version else None


def _parse_json_feed(document: dict[str, Any], url: str) -> ParsedFeed:
    """A JSON Feed's title, home page and items (content_html, else content_text/summary)."""
    items = document.get("items")
    entries = []
    for raw in items[:MAX_ENTRIES] if isinstance(items, list) else []:
        if not isinstance(raw, dict):
            continue
        link = _text(raw.get("url")) or _text(raw.get("external_url"))
        html = _text(raw.get("content_html"))
        texts = [html_to_text(html) if html else "", _text(raw.get("content_text"))]
        texts.append(html_to_text(_text(raw.get("summary"))))
        text = max(texts, key=len)
        title = _title(strip_tags(_text(raw.get("title"))), text)
        stamp = _text(raw.get("date_modified")) or _text(raw.get("date_published"))
        entries.append(
            FeedEntry(
                key=(_text(raw.get("id")) or link or _digest(title, text))[:1000],
                link=resolve(url, link) if link else None,
                title=title,
                text=text,
                published=_iso_date(_text(raw.get("date_published")) or stamp),
                fingerprint=_digest(title, link, text, stamp),
            )
        )
    home = _text(document.get("home_page_url"))
    version = _text(document.get("version")).rstrip("/").rsplit("/", 1)[-1]
    return ParsedFeed(
        title=strip_tags(_text(document.get("title"))),
        site_url=resolve(url, home) if home else None,
        entries=tuple(entry for entry in entries if entry.title or entry.text),
        version=f"json{version}",
    )


def _text(value: object) -> str:
    """A JSON string field, or "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def _iso_date(value: str, now: datetime | None = None) -> datetime | None:
    """An RFC 3339 date in UTC; None when absent, malformed or in the future."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment if moment <= (now or utcnow()) + _FUTURE else None


HEADLINE_CHARS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def _title(title: str, text: str) -> str:
    """The entry's title; without one, its text's first sentence, cut to ~100 characters."""
    if title:
        return title
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    if len(first) <= HEADLINE_CHARS:
        return first
    cut = first[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:- ")
    return f"{cut}…"


def _entry(raw: Any, feed_url: str) -> FeedEntry:
    """One feedparser entry as a FeedEntry."""
    link = raw.get("link")
    link = resolve(feed_url, link) if isinstance(link, str) and link.strip() else None
    text = _body(raw)
    title = _title(strip_tags(str(raw.get("title") or "")), text)
    key = str(raw.get("id") or link or "") or _digest(title, text)
    stamp = str(_own(raw, "updated") or _own(raw, "published") or "")
    return FeedEntry(
        key=key[:1000],
        link=link,
        title=title,
        text=text,
        published=entry_date(raw),
        fingerprint=_digest(title, link or "", text, stamp),
    )


def _body(raw: Any) -> str:
    """The longest of the entry's contents and summary, as plain text."""
    candidates = [str(part.get("value") or "") for part in raw.get("content") or []]
    candidates.append(str(raw.get("summary") or ""))
    texts = [html_to_text(candidate) for candidate in candidates]
    return max(texts, key=len, default="")


def entry_date(raw: Mapping[str, Any], now: datetime | None = None) -> datetime | None:
    """The entry's date in UTC: published, else updated; None when absent or in the future."""
    latest = (now or utcnow()) + _FUTURE
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _own(raw, name)
        if isinstance(parsed, time.struct_time):
            moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            if moment <= latest:
                return moment
    return None


def _own(raw: Mapping[str, Any], name: str) -> Any:
    """A field the entry really has (feedparser maps a missing `updated` to `published`)."""
    return dict.get(raw, name) if isinstance(raw, dict) else raw.get(name)


def _digest(*parts: str) -> str:
    """A short stable hash of some strings."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


class _FeedLinks(HTMLParser):
    """Collects `<link rel="alternate" type="application/rss+xml" href="...">` targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and values.get("href", "").strip():
            self.links.append(values["href"].strip())


def discover_feeds(html: str, page_url: str) -> list[str]:
    """Absolute URLs of the feeds a page announces in its `<head>`, in page order."""
    finder = _FeedLinks()
    try:
        finder.feed(html[:500_000])
        finder.close()
    except (AssertionError, ValueError):
        pass
    return list(dict.fromkeys(resolve(page_url, link) for link in finder.links))
