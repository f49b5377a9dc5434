"""RSS/Atom feeds → entries, and feed discovery on a site's page. Pure parsing, no I/O.

feedparser reads bytes we fetched ourselves (its own HTTP has no timeout). A malformed
("bozo") feed keeps whatever entries were readable. Dates become UTC: published, else
updated; later steps fall back to the page's own date and then to when we first saw it.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser

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
    """Parse a fetched feed; entries are kept even when the XML is malformed."""
    response_headers = {**(headers or {}), "content-location": url}
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


def _entry(raw: Any, feed_url: str) -> FeedEntry:
    """One feedparser entry as a FeedEntry."""
    link = raw.get("link")
    link = resolve(feed_url, link) if isinstance(link, str) and link.strip() else None
    title = strip_tags(str(raw.get("title") or ""))
    text = _body(raw)
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
