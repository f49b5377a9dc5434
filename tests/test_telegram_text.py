"""Escaping and splitting of message text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.transport.text import MAX_MESSAGE, escape, link, split_message, utf16_len
from tests.fakes import visible_text


def _words(text: str) -> list[str]:
    return re.sub(r"<[^>]+>", " ", text).split()


def test_escape_makes_markup_plain_text() -> None:
    """`<`, `>` and `&` are escaped, and Telegram shows them as typed."""
    raw = "<b>x</b> & <a href='y'>"
    assert visible_text(escape(raw)) == raw


def test_link_escapes_label_and_url() -> None:
    """A link with quotes and ampersands stays one well-formed tag."""
    html = link('https://e.org/?a=1&b="2"', "Tom & <Jerry>")
    assert visible_text(html) == "Tom & <Jerry>"
    assert "&quot;" in html


def test_short_text_is_one_message() -> None:
    """Text under the limit comes back unchanged; blank text gives no message."""
    assert split_message("hello") == ["hello"]
    assert split_message("  \n ") == []


def test_split_prefers_paragraph_ends() -> None:
    """Paragraphs are not broken when whole paragraphs fit."""
    paragraphs = [f"Paragraph {n}. " + "word " * 30 for n in range(40)]
    chunks = split_message("\n\n".join(p.strip() for p in paragraphs), limit=1000)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.startswith("Paragraph ")
        assert utf16_len(chunk) <= 1000


def test_tags_are_closed_and_reopened_across_chunks() -> None:
    """A bold run longer than a message is valid HTML in every chunk."""
    html = "<b>" + "bold words here " * 600 + "</b> tail"
    chunks = split_message(html)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert utf16_len(chunk) <= MAX_MESSAGE
        visible_text(chunk)  # raises if Telegram would refuse it
        assert chunk.startswith("<b>")


def test_utf16_counts_astral_characters_twice() -> None:
    """Emoji outside the BMP count as two units, so such text splits earlier."""
    assert utf16_len("🌊") == 2
    chunks = split_message("🌊" * 3000)
    assert len(chunks) == 2
    assert all(utf16_len(c) <= MAX_MESSAGE for c in chunks)


def test_entities_are_never_cut() -> None:
    """A run of escaped characters splits between entities, not inside one."""
    chunks = split_message(escape("&" * 2000), limit=100)
    for chunk in chunks:
        assert re.fullmatch(r"(&amp;)+", chunk)


@given(st.lists(st.text(min_size=0, max_size=300), max_size=30), st.integers(60, 5000))
def test_split_never_exceeds_limit_and_loses_no_text(parts: list[str], limit: int) -> None:
    """Property: chunks fit, parse as Telegram HTML, and together hold every word."""
    html = "\n".join(f"<b>{escape(p)}</b> {escape(p)}" for p in parts)
    chunks = split_message(html, limit=limit)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        visible_text(chunk)
    joined_words = [w for chunk in chunks for w in _words(chunk)]
    assert "".join(joined_words) == "".join(_words(html))
