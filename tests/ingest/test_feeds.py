"""Tests for `bot.ingest.feeds`: parsing fetched feeds, dates, teasers and feed discovery."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ingest.feeds import discover_feeds, parse_feed
from tests.ingest.site import rss

FEED_URL = "https://gazette.example/feed.xml"
LONG = " ".join(f"word{n}" for n in range(120))


def test_entries_titles_links_and_utc_dates() -> None:
    """HTML leaves titles, relative links become absolute, dates become UTC."""
    body = rss(
        [
            {"title": "Bridge <b>reopens</b> &amp; traffic flows", "link": "/news/1",
             "guid": "urn:uuid:1", "pubDate": "Tue, 10 Jun 2025 09:30:00 +0200",
             "description": "<p>Short teaser…</p>"},
            {"title": "Second", "link": "https://gazette.example/news/2", "description": LONG},
        ]
    )  # fmt: skip
    parsed = parse_feed(body.encode(), FEED_URL, {"content-type": "application/rss+xml"})
    first, second = parsed.entries
    assert parsed.is_feed and parsed.title == "Local Gazette" and parsed.problem is None
    assert first.title == "Bridge reopens & traffic flows"
    assert first.link == "https://gazette.example/news/1"
    assert first.key == "urn:uuid:1" and second.key == "https://gazette.example/news/2"
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert first.teaser and not second.teaser
    assert second.published is None


def test_updated_date_is_the_fallback_and_future_dates_are_ignored() -> None:
    """Atom `updated` stands in for a missing published date; a date years ahead is dropped."""
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        "<entry><id>u1</id><title>Updated only</title><link href='https://a.example/1'/>"
        "<updated>2024-03-01T12:00:00Z</updated><summary>s</summary></entry>"
        "<entry><id>u2</id><title>Future</title><link href='https://a.example/2'/>"
        "<published>2999-01-01T00:00:00Z</published><summary>s</summary></entry></feed>"
    )
    parsed = parse_feed(atom.encode(), FEED_URL)
    assert parsed.entries[0].published == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert parsed.entries[1].published is None


def test_malformed_xml_keeps_the_readable_entries() -> None:
    """A bozo feed (broken markup) still yields its entries, with the problem noted."""
    broken = (
        "<rss version='2.0'><channel><title>Broken</title>"
        "<item><title>First</title><link>https://b.example/1</link></item>"
        "<item><title>Fish & chips</title><link>https://b.example/2</link></item>"
        "</channel>"
    )
    parsed = parse_feed(broken.encode(), FEED_URL)
    assert parsed.problem is not None
    assert [e.title for e in parsed.entries] == ["First", "Fish & chips"]


def test_wrong_declared_encoding_in_a_feed() -> None:
    """A feed in windows-1252 that claims UTF-8 still reads correctly."""
    body = rss([{"title": "Café opens — naïve", "link": "https://c.example/1"}])
    parsed = parse_feed(
        body.encode("cp1252"), FEED_URL, {"content-type": "text/xml; charset=utf-8"}
    )
    assert parsed.entries[0].title == "Café opens — naïve"


def test_fingerprint_changes_with_the_entry() -> None:
    """Same entry, same fingerprint; a changed text changes it, the key stays."""
    one = parse_feed(rss([{"guid": "urn:g", "title": "T", "description": "a"}]).encode(), FEED_URL)
    two = parse_feed(rss([{"guid": "urn:g", "title": "T", "description": "b"}]).encode(), FEED_URL)
    again = parse_feed(
        rss([{"guid": "urn:g", "title": "T", "description": "a"}]).encode(), FEED_URL
    )
    assert one.entries[0].key == two.entries[0].key == "urn:g"
    assert one.entries[0].fingerprint != two.entries[0].fingerprint
    assert one.entries[0].fingerprint == again.entries[0].fingerprint


def test_an_html_page_is_not_a_feed_but_may_announce_one() -> None:
    """A web page parses as no feed; its <link rel=alternate> tags name its feeds."""
    html = (
        "<html><head><link rel='stylesheet' href='/s.css'>"
        "<link rel='alternate' type='application/rss+xml' href='/rss.xml'>"
        "<link rel='alternate' type='application/atom+xml' href='https://x.example/atom'>"
        "</head><body><p>Hello</p></body></html>"
    )
    assert not parse_feed(html.encode(), "https://x.example/").is_feed
    assert discover_feeds(html, "https://x.example/news/") == [
        "https://x.example/rss.xml",
        "https://x.example/atom",
    ]
