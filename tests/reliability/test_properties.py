"""Properties over any input: splitting, escaping, query sanitizing and text cleaning.

These extend tests/test_telegram_text.py, tests/store/test_fts.py and tests/ingest/test_clean.py
to the inputs those leave out: nested tags and links, astral characters, words longer than a
message, lone UTF-16 surrogates, and the whole search path down to a real SQLite store.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.ingest.clean import clean_text
from bot.store import Store, fts, open_store
from bot.transport.text import escape, escape_attr, link, split_message, utf16_len
from bot.usecases import news
from bot.usecases.news import clean_query, topic_of
from tests.conftest import make_article
from tests.fakes import visible_text

# Every code point, lone surrogates included (clients can send them; see test_bad_input).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=300)
# Text that is valid Unicode but otherwise anything: emoji, controls, RTL marks, CJK.
VALID_TEXT = st.text(st.characters(codec="utf-8"), max_size=400)
_TAG_OR_TEXT = re.compile(r"<[^<>]*>")


@st.composite
def telegram_html(draw: st.DrawFn) -> tuple[str, int]:
    """A limit, and HTML as the replies build it: escaped text in nested tags and links.

    Links are up to a sixth of the limit long (a tag longer than a message cannot be sent).
    """
    limit = draw(st.integers(300, 2000))
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        text = escape(draw(VALID_TEXT)) * draw(st.integers(1, 6))
        kind = draw(st.sampled_from(["plain", "b", "i-in-b", "code", "link", "break"]))
        if kind == "b":
            text = f"<b>{text}</b>"
        elif kind == "i-in-b":
            text = f"<b>x <i>{text}</i> y</b>"
        elif kind == "code":
            text = f"<code>{text}</code>"
        elif kind == "link":
            url = "https://e.org/?a=1&b=" + draw(st.text(max_size=40)) * draw(st.integers(1, 40))
            text = link(url[: limit // 6 - 12], html.unescape(text))
        elif kind == "break":
            text = "\n\n" + text
        parts.append(text)
    return draw(st.sampled_from([" ", "\n", ""])).join(parts), limit


def _squeezed(text: str) -> str:
    """Text without whitespace: what must survive splitting, whatever the break points."""
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, deadline=None)
@example((link("https://e.org/" + "x" * 2000, "long link") + " word" * 1000, 4096))
@given(telegram_html())
def test_split_fits_keeps_tags_whole_and_loses_no_text(html_and_limit: tuple[str, int]) -> None:
    """Chunks fit in `limit` UTF-16 units, parse as Telegram HTML, and hold all the text."""
    text, limit = html_and_limit
    chunks = split_message(text, limit=limit)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        visible_text(chunk)  # raises on a cut entity, a crossed or unclosed tag
        assert not re.search(r"[<>]", _TAG_OR_TEXT.sub("", chunk)), chunk  # no cut tag
    shown = "".join(visible_text(chunk) for chunk in chunks)
    assert _squeezed(shown) == _squeezed(visible_text(text))


@settings(max_examples=40, deadline=None)
@given(st.text(st.sampled_from("🌊界a &<>\n"), min_size=1, max_size=60), st.integers(4000, 9000))
def test_split_of_long_astral_text_stays_under_the_real_limit(piece: str, size: int) -> None:
    """Astral characters count twice: chunks stay under 4096 units as Telegram counts them."""
    raw = (piece * (size // len(piece) + 1))[:size]
    chunks = split_message(escape(raw))
    assert all(utf16_len(visible_text(c)) <= 4096 and utf16_len(c) <= 4096 for c in chunks)
    assert _squeezed("".join(visible_text(c) for c in chunks)) == _squeezed(raw)


@given(VALID_TEXT)
def test_escape_round_trips(text: str) -> None:
    """Escaped text is shown exactly as it was written, and unescapes back to it."""
    assert html.unescape(escape(text)) == text
    assert visible_text(escape(text)) == text if text.strip() else True
    assert html.unescape(escape_attr(text)) == text
    assert '"' not in escape_attr(text) and "<" not in escape(text)


@given(ANY_TEXT)
def test_clean_query_never_raises_and_leaves_no_invisible_marks(raw: str) -> None:
    """Any user text becomes valid, visible, single-spaced text that cleans to itself."""
    query = clean_query(raw)
    query.encode("utf-8")  # no lone surrogates left
    assert query == query.strip() and "  " not in query
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", query)
    assert clean_query(query) == query


_FRAMES = st.sampled_from(
    ["", "what's going on with ", "what happened to ", "news about ", "что нового в ", "关于"]
)
_ENDS = st.sampled_from(["", "?", " lately?", "的新闻", " ?!"])
_WORDS = st.from_regex(r"[a-z]{4,9}( [a-z]{4,9}){0,2}", fullmatch=True)


@given(_FRAMES, ANY_TEXT, _ENDS)
def test_the_topic_of_any_text_is_a_piece_of_it(frame: str, raw: str, end: str) -> None:
    """Whatever is typed, the topic taken out of it is a piece of the cleaned text, and never
    empty when the text was not."""
    topic, query = topic_of(frame + raw + end), clean_query(frame + raw + end)
    assert topic in query and bool(topic) == bool(query)


@given(_FRAMES.filter(bool), _WORDS, _ENDS)
def test_a_questions_frame_comes_off(frame: str, words: str, end: str) -> None:
    """Around words that can be searched, the frame and the end are taken off."""
    if news.searchable(words) and not words.endswith("lately"):
        assert topic_of(frame + words + end) == words


@given(ANY_TEXT)
def test_fts_query_building_never_raises(raw: str) -> None:
    """FTS expressions are built for any text, even invalid Unicode, from quoted words only."""
    terms = fts.query_terms(raw)
    for expression in (fts.match_all(terms), fts.match_any(terms)) if terms else ():
        # Inside double quotes FTS5 reads no syntax; what stands outside them must be joiners.
        outside = re.sub(r'"[^"\s]+( [^"\s]+)*"', "", expression)
        assert not outside.replace(" OR ", "").replace(" AND ", "").strip("() "), expression


@given(ANY_TEXT)
def test_clean_text_never_raises_or_grows_on_invalid_unicode(text: str) -> None:
    """The page cleaner survives any code point, lone surrogates included, and never grows."""
    assert len(clean_text(text)) <= len(text)


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.Runner, Store]]:
    """A real SQLite store with a few articles, and the event loop it lives on."""
    path: Path = tmp_path_factory.mktemp("props") / "news.db"
    runner = asyncio.Runner()
    store = open_store(f"sqlite:///{path}")
    runner.run(store.open())
    for title in ("Tsunami warning lifted", "Выборы в России", "中国经济增长", "NEAR AND OR"):
        runner.run(store.add_article(make_article(title, f"{title}. Some text about it.")))
    yield runner, store
    runner.run(store.close())
    runner.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ANY_TEXT)
def test_store_search_never_raises(searchable: tuple[asyncio.Runner, Store], raw: str) -> None:
    """Whatever the user types (cleaned as the handlers clean it), the store answers a list."""
    runner, store = searchable
    found = runner.run(store.search(clean_query(raw), limit=3))
    assert isinstance(found, list) and len(found) <= 3


def test_search_treats_fts_operators_as_words(searchable: tuple[asyncio.Runner, Store]) -> None:
    """FTS5 operator words find the article titled with them, not a syntax error."""
    runner, store = searchable
    found = runner.run(store.search('"NEAR" AND OR*', limit=3))
    assert [a.title for a in found] == ["NEAR AND OR"]
