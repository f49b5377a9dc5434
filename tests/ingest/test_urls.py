"""Tests for `bot.ingest.urls`: which URLs may be fetched, and their normalized dedup keys."""

from __future__ import annotations

import pytest

from bot.errors import IngestError
from bot.ingest.urls import check_url, find_url, is_root, normalize_url, site_of


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("HTTPS://Example.ORG:443/a/b?utm_source=x&id=7#top", "https://example.org/a/b?id=7"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/x?fbclid=1&gclid=2", "http://example.org:8080/x"),
        ("https://example.org/x?page=2&utm_medium=rss&mc_cid=9", "https://example.org/x?page=2"),
        ("https://example.org/x?b=2&a=1", "https://example.org/x?b=2&a=1"),
        ("http://[::1]:8000/p", "http://[::1]:8000/p"),
    ],
)
def test_normalize_drops_only_what_never_changes_the_article(raw: str, normalized: str) -> None:
    """Case, default ports, fragments and trackers go; real parameters stay, in order."""
    assert normalize_url(raw) == normalized


def test_different_articles_stay_different() -> None:
    """Parameters that pick an article, and paths, are never merged."""
    assert normalize_url("https://e.org/story?id=1") != normalize_url("https://e.org/story?id=2")
    assert normalize_url("https://e.org/a") != normalize_url("https://e.org/a/")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://e.org/", "javascript:alert(1)", "http://", "e.org/page",
     "http://user:pw@e.org/", "http://e.org:99999/", "http://" + "a" * 3000 + ".org/",
     "http://tsunami tsunami/", "http://e.org/\x00x"],
)  # fmt: skip
def test_unfetchable_urls_are_refused(url: str) -> None:
    """Only http(s) URLs with a host, no credentials, a sane port and length."""
    with pytest.raises(IngestError):
        check_url(url)


def test_find_url_in_a_message() -> None:
    """The first link of a message, without closing punctuation or control characters."""
    assert find_url("look: https://e.org/a?b=1). thanks") == "https://e.org/a?b=1"
    assert find_url("http://10.0.0.1/x\x00\x07y\u200bz") == "http://10.0.0.1/x"
    assert find_url("no link here") is None
    assert find_url("http://") is None


def test_site_and_root() -> None:
    """The site is the host without www; a home page is recognized."""
    assert site_of("https://www.Example.org/x") == "example.org"
    assert is_root("https://e.org/") and not is_root("https://e.org/news/1")
