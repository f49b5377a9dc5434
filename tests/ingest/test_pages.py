"""Tests for `bot.ingest.pages`: decoding fetched bytes and refusing pages that are no article."""

from __future__ import annotations

import pytest

from bot.ingest.pages import NotAnArticle, decode_html, has_words, read_page, word_count
from tests.ingest.site import STORIES, article_html

URL = "https://gazette.example/news/harbour"


def _stub(title: str, *lines: str) -> bytes:
    """A page whose main text is just a few lines."""
    body = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f"<html><head><title>{title}</title></head><body><main>{body}</main></body></html>"
    ).encode()


def test_a_news_page_becomes_clean_text() -> None:
    """Title from the page, paragraphs one per line, menu and footer gone."""
    page = read_page(article_html("harbour").encode(), "utf-8", URL)
    title, paragraphs = STORIES["harbour"]
    assert page.title == title
    assert page.text.split("\n") == paragraphs
    assert page.sitename == "Local Gazette"


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("iso-8859-1", "utf-8"), ("utf-8", "cp1252"), (None, "cp1252"), ("koi8-r", "koi8-r")],
)
def test_wrong_or_missing_declared_encoding(declared: str | None, encoding: str) -> None:
    """Text survives a wrong header charset, a missing one, and a right legacy one."""
    text = (
        "Le café est très bon, a déclaré le maire à la réunion où la décision a été prise. "
        "Les élèves ont répondu à la même question sans hésiter. " * 3
        if encoding != "koi8-r"
        else "Новости дня: всё хорошо"
    )
    html = f"<html><body><p>{text}</p></body></html>"
    assert text in decode_html(html.encode(encoding), declared)


def test_meta_charset_is_used_when_the_bytes_are_not_utf8() -> None:
    """A `<meta charset>` names the encoding when the header does not."""
    html = '<html><head><meta charset="windows-1251"></head><body>Привет, мир</body></html>'
    assert "Привет, мир" in decode_html(html.encode("cp1251"))


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (_stub("404 Not Found", "The page you were looking for could not be found."), "error"),
        (_stub("Page not found | Gazette", "Sorry, this article does not exist anymore."),
         "error"),
        (_stub("Gazette", "Please enable JavaScript to view this site.",
               "Your browser is not supported."), "JavaScript"),
        (_stub("Big story", "This article is for subscribers only.",
               "Subscribe to continue reading. Already a subscriber? Log in."), "paywall"),
        (_stub("Gazette", "We use cookies to improve your experience.",
               "Accept all cookies or manage your consent settings."), "cookie"),
        (_stub("Just a moment...", "Checking your browser before accessing the site."), "error"),
        (_stub("Brief", "Short note with a handful of words only."), "short"),
    ],
)  # fmt: skip
def test_non_articles_are_refused_with_a_reason(page: bytes, reason: str) -> None:
    """Error pages, stubs, cookie walls and tiny bodies raise NotAnArticle saying what they are."""
    with pytest.raises(NotAnArticle, match=reason):
        read_page(page, "utf-8", URL)


def test_article_about_cookies_is_still_an_article() -> None:
    """Stub wording inside a long real article does not make it a stub."""
    extra = ("The regulator said: we use cookies as an example of consent in our guidance.",)
    page = read_page(article_html("library", extra=extra).encode(), None, URL)
    assert page.title == STORIES["library"][0]


def test_word_count_handles_cjk() -> None:
    """Words are counted across scripts; two CJK characters count as one word."""
    assert word_count("one two, three") == 3
    assert word_count("東京都の天気") == 3


def test_has_words_agrees_with_word_count_at_every_threshold() -> None:
    """The short-circuit count answers as the full count, CJK and mixed texts included."""
    texts = ["", "one", "one two, three 4", "東京都の天気", "Tokyo 東京都の天気 2024", "a " * 30]
    for text in texts:
        for wanted in range(0, 33):
            assert has_words(text, wanted) == (word_count(text) >= wanted), (text, wanted)


@pytest.mark.parametrize(
    "text",
    [
        "Café crème",
        "Le Café crème est servi chaud.",
        "München, Öl und Straße: Grüße aus Köln.",
        "Año nuevo en Peñíscola: música y señales.",
        STORIES["harbour"][1][0].replace(" the ", " the crème brûlée à côté "),  # cp775 guessed
    ],
)
def test_a_latin1_page_labelled_utf8_is_read_as_written(text: str) -> None:
    """Detectors guess cp1006 or cp1250 for short Western text ("Cafﻠ crﻟme", "crčme")."""
    body = f"<html><body><p>{text}</p></body></html>".encode("latin-1")
    assert decode_html(body, "utf-8") == body.decode("latin-1")
    assert decode_html(body, None) == body.decode("latin-1")


def test_cyrillic_in_a_single_byte_code_page_is_still_detected() -> None:
    """Dense high bytes are not Western text: the detector decides (cp1251 here)."""
    text = "Правительство объявило о новых мерах поддержки экономики и граждан страны."
    body = f"<html><body><p>{text}</p></body></html>".encode("cp1251")
    assert text in decode_html(body, "utf-8")
