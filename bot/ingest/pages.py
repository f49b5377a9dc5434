"""Fetched web pages → articles: decode the bytes, extract, and refuse what is not an article.

Error pages, paywall and "enable JavaScript" stubs, cookie walls, bot checks and very short
bodies are refused with a reason (`NotAnArticle`), never stored. `read_page` is a pure
function of its arguments so that it can run in a worker process.
"""

from __future__ import annotations

import codecs
import re

from bot.errors import IngestError
from bot.ingest.extract import ExtractedPage, main_text, page_from
from bot.ingest.htmltext import html_to_text

MIN_WORDS = 25  # fewer words than this is a stub, not an article
STUB_WORDS = 80  # a shorter body that reads like a stub is refused
ERROR_TITLE_WORDS = 300  # an error-like title only counts on a short page

_WORD = re.compile(r"[^\W\d_\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+|\d+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_I = re.IGNORECASE
_LATIN_GUESSES = frozenset(
    {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
     "iso8859_9", "iso8859_13", "iso8859_15", "iso8859_16", "mac_roman", "mac_latin2"}
)  # fmt: skip

STUBS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a JavaScript stub", re.compile(
        r"\b(enable|turn on|activate|allow) javascript\b|\bjavascript (is )?(disabled|required|"
        r"must be enabled|is turned off)\b|\b(unsupported|outdated) browser\b", _I)),
    ("a paywall", re.compile(
        r"\b(subscribe|sign in|log in|register) (now )?to (continue|read|keep reading|unlock)\b"
        r"|\b(subscribers?|members?)[- ]only\b|\balready an? (subscriber|member)\b"
        r"|\bthis (article|content|story) is (only )?(for|available to) (paying )?"
        r"(subscribers|members)\b|\bfree articles? (left|remaining)\b", _I)),
    ("a cookie wall", re.compile(
        r"\b(we|this site|our site|this website|our website) uses? cookies\b"
        r"|\baccept (all )?cookies\b|\bcookie (settings|preferences|consent)\b"
        r"|\bwe value your privacy\b|\bmanage (your )?(consent|privacy) (settings|choices)\b",
        _I)),
    ("a bot check", re.compile(
        r"\b(verify|prove|confirm) (that )?you are (a )?human\b|\bare you a robot\b|\bcaptcha\b"
        r"|\bchecking your browser\b|\bunusual traffic\b", _I)),
    ("an error page", re.compile(
        r"\b(page|article|content|story|file) (you (were|are) looking for )?(was |is |could )?"
        r"(not (be )?found|no longer (exists|available)|does not exist|doesn't exist|"
        r"has been removed)\b|\b(error|http) ?(400|403|404|410|500|502|503)\b"
        r"|\baccess (is )?denied\b|\bsomething went wrong\b", _I)),
)  # fmt: skip
_ERROR_TITLE = re.compile(
    r"^\W*(error\W*)?(400|401|403|404|410|500|502|503)\b|\b(page|article) not found\b"
    r"|^not found\b|\baccess denied\b|^just a moment\b|^attention required\b|^forbidden\b"
    r"|^service unavailable\b|\bpage (is )?(unavailable|no longer available)\b",
    _I,
)


class NotAnArticle(IngestError):
    """A page that was fetched but holds no article; the message says what it is."""


def word_count(text: str) -> int:
    """Words in a text, counting two CJK characters as one word."""
    return len(_WORD.findall(text)) + len(_CJK.findall(text)) // 2


def has_words(text: str, wanted: int) -> bool:
    """Whether `word_count(text) >= wanted`, without counting past `wanted` Latin words."""
    for count, _ in enumerate(_WORD.finditer(text), 1):
        if count >= wanted:
            return True
    return word_count(text) >= wanted


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Page text from bytes whose declared encoding may be missing or wrong.

    Valid UTF-8 is taken as UTF-8 whatever the declaration says (nothing else looks like
    it); otherwise the declared encodings (header, then `<meta>`) are tried strictly, then a
    detector guesses.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(body[:4096])
    for name in (declared, meta.group(1).decode("ascii", "replace") if meta else None):
        if not name or not _known(name) or codecs.lookup(name).name == "utf-8":
            continue
        try:
            return body.decode(name)
        except UnicodeDecodeError:
            continue
    if _mostly_ascii(body[:200_000]):
        # A few accented letters among ASCII, not valid as declared: a Western page in
        # windows-1252 mislabelled (as browsers assume). Detectors guess a Baltic or
        # Central European code page here and store "Cafķ crĶme" for "Café crème".
        return body.decode("cp1252", "replace")
    import charset_normalizer  # only pages that do not say their charset need it

    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is None or best.encoding in _LATIN_GUESSES:
        # Detectors confuse the Latin code pages; like browsers, default to windows-1252.
        return body.decode("cp1252", "replace")
    return body.decode(best.encoding, "replace")


_HIGH_BYTES = bytes(range(0x80, 0x100))
_ASCII_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))


def _mostly_ascii(body: bytes) -> bool:
    """Whether bytes above 127 are under a fifth of the letters (Latin text, not Cyrillic)."""
    high = len(body) - len(body.translate(None, _HIGH_BYTES))  # counted in C, not a loop
    letters = len(body) - len(body.translate(None, _ASCII_LETTERS))
    return 0 < high < 0.2 * (letters + high)


def _known(encoding: str) -> bool:
    """Whether Python knows the encoding name."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def stub_kind(text: str) -> str | None:
    """What kind of non-article a short text reads like, or None."""
    for kind, pattern in STUBS:
        if pattern.search(text):
            return kind
    return None


def read_page(body: bytes, charset: str | None, url: str) -> ExtractedPage:
    """The article of a fetched page; NotAnArticle says why there is none."""
    html = decode_html(body, charset)
    try:
        fields, raw = main_text(html, url)
    except IngestError as exc:
        raise NotAnArticle(stub_kind(html_to_text(html)[:20_000]) or str(exc)) from None
    title = str(fields.get("title") or "")
    if not has_words(raw, ERROR_TITLE_WORDS) and _ERROR_TITLE.search(title):
        raise NotAnArticle(f"an error page ({' '.join(title.split())[:80]})")
    if not has_words(raw, STUB_WORDS) and (kind := stub_kind(f"{title}\n{raw}")):
        raise NotAnArticle(kind)
    try:
        page = page_from(fields, raw, url)
    except IngestError as exc:
        raise NotAnArticle(str(exc)) from None
    if not has_words(page.text, MIN_WORDS):
        raise NotAnArticle(f"too short to be an article ({word_count(page.text)} words)")
    return page
