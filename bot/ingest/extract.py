"""HTML → article: trafilatura's main-text extraction and metadata, then `clean_text`.

Used for local `.html` files and fetched web pages alike. trafilatura runs with
`favor_precision`, which keeps chrome out but can cut an article whose body is in list items
(a long review) to a tenth. So when it finds little text (fewer than `FALLBACK_WORDS` words),
or what it kept is under `FALLBACK_SHARE` of the page's visible text, trafilatura's balanced
mode runs too and wins if it finds at least twice as much. (readability-lxml was the fallback
before: on the 85 extraction pages it is called for the same 3 pages and gives F1 0.9820
against the balanced mode's 0.9815, one page differing; one dependency fewer.)

The page is parsed once; trafilatura extracts from copies of that tree. Its metadata comes
from trafilatura's own functions, minus the author and the licence, which the bot never
shows (the author search was a third of the metadata time): the same fields on the 85
extraction pages, 18.7 → 15 ms a page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.errors import IngestError
from bot.ingest.clean import clean_text, tidy_quotes
from bot.ingest.patterns import SENTENCE_END
from bot.ingest.records import normalize_tags, parse_datetime

log = logging.getLogger(__name__)

FALLBACK_WORDS = 80
FALLBACK_SHARE = 0.2
_VISIBLE_TEXT = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::nav or ancestor::header or ancestor::footer)]"
)
_EDGES = " \t-–—•·*|:>»"
_WORDS = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})
_CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})
# The links that can be a category or a tag (trafilatura keeps only those whose address
# matches "/categor(y|ies|s)?/" or "/tag(y|ies|s)?/"), and its fallback for the category.
_TAXONOMY_HREFS = "//a[contains(@href, '/categor') or contains(@href, '/tag')]/@href"
_SECTION_META = (
    './/head//meta[@property="article:section" or contains(@name, "subject")][@content]/@content'
)
HEAD_LINES = 3  # headline and standfirst repeats are looked for in this many first lines


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
    fields, body = main_text(html, url)
    return page_from(fields, body, url)


def main_text(html: str | bytes, url: str | None = None) -> tuple[dict[str, Any], str]:
    """The page's metadata fields and its main text before cleaning; IngestError if none."""
    import trafilatura  # here, not at import: ~10 MB a bot that fetches no page never needs

    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            raise IngestError("no article text found in the page")
        fields = _metadata(tree, url)
        fields["language"] = fields.get("language") or tree.get("lang") or tree.get("xml:lang")
        anchors = _anchor_texts(tree)
        body = _body(tree, url, anchors, favor_precision=True)
        words = len(body.split())
        if words < FALLBACK_WORDS or _small_share(tree, words):
            text = _body(tree, url, anchors, favor_precision=False)
            if len(text.split()) >= max(2 * words, FALLBACK_WORDS // 2):
                body = text
    except IngestError:
        raise
    except Exception as exc:  # trafilatura/lxml raise many kinds on malformed input
        raise IngestError(f"cannot parse HTML: {exc}") from exc
    if not body.strip():
        raise IngestError("no article text found in the page")
    return fields, body


def page_from(fields: dict[str, Any], body: str, url: str | None = None) -> ExtractedPage:
    """The cleaned article from `main_text`'s fields and body; IngestError if nothing is left."""
    title = _clean_title(fields.get("title"))
    description = _str_or_none(fields.get("description"))
    text = _drop_headlines(clean_text(body), title, description)
    if not text:
        raise IngestError("no article text left after cleaning")
    return ExtractedPage(
        title=title,
        text=text,
        url=_str_or_none(fields.get("url")) or url,
        published=_safe_date(fields.get("date")),
        sitename=_str_or_none(fields.get("sitename")),
        language=_declared_language(fields.get("language"), text),
        tags=normalize_tags([*(fields.get("categories") or []), *(fields.get("tags") or [])]),
    )


def _body(tree: Any, url: str | None, anchors: frozenset[str], *, favor_precision: bool) -> str:
    """trafilatura's main text of the page ("" when it finds no article), without the lines
    that are just one of the page's links. trafilatura works on a copy of the tree."""
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=favor_precision,
        fast=True,  # no readability/jusText comparison: our fallback in main_text instead
        include_comments=False,
    )
    if document is None:
        return ""
    text = document.get("text") if isinstance(document, dict) else document.text
    return _drop_link_lines(text, anchors) if isinstance(text, str) else ""


def _small_share(tree: Any, words: int) -> bool:
    """Whether `words` are under `FALLBACK_SHARE` of the words of visible text that the page
    has outside its navigation, header and footer. The text of the whole body is counted
    first (fast, and never less): most pages are ruled out without the costlier count."""
    body = tree.find("body")
    if body is None or words >= FALLBACK_SHARE * len(body.text_content().split()):
        return False
    return words < FALLBACK_SHARE * sum(len(text.split()) for text in tree.xpath(_VISIBLE_TEXT))


def _metadata(tree: Any, url: str | None) -> dict[str, Any]:
    """The page's metadata as trafilatura's `extract_metadata` finds it, without the two
    fields the bot never uses: the author (a third of trafilatura's time on a page whose
    markup names none) and the licence."""
    from htmldate import find_date
    from trafilatura import metadata as found

    document = found.examine_meta(tree)
    try:
        document = found.extract_meta_json(tree, document)
    except Exception:  # trafilatura's JSON-LD reader has bugs on odd markup; the rest stands
        log.debug("JSON-LD metadata unreadable", exc_info=True)
    document.title = document.title or found.extract_title(tree)
    document.url = document.url or found.extract_url(tree, url)
    # Dates from the page's markup and URL, not from scanning its whole text (slow, rarely
    # needed).
    document.date = find_date(tree, url=document.url, extensive_search=False, original_date=True)
    sitename = (document.sitename or found.extract_sitename(tree) or "").lstrip("@")
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    elif not sitename and document.url and (site := found.META_URL.match(document.url)):
        sitename = site[1]
    document.sitename = sitename or None
    hrefs = "\n".join(tree.xpath(_TAXONOMY_HREFS))
    document.categories = document.categories or _catstags("category", tree, hrefs)
    document.tags = document.tags or _catstags("tag", tree, hrefs)
    document.clean_and_trim()
    return dict(document.as_dict())


def _catstags(kind: str, tree: Any, hrefs: str) -> list[str]:
    """trafilatura's categories or tags of the page (`extract_catstags`), without its ten
    scans of the whole tree when no link could be one: it keeps only links whose address
    holds "/categor…/" or "/tag…/", and three pages in four have none (on the 85 extraction
    pages: 3.9 → 0.3 ms a page on the 70% without, the same fields on all). The category
    then comes from the `<meta>` section fallback, as trafilatura does."""
    from trafilatura import metadata as found
    from trafilatura.utils import line_processing

    if ("/categor" if kind == "category" else "/tag") in hrefs:
        return found.extract_catstags(kind, tree)
    if kind != "category":
        return []
    sections = tree.xpath(_SECTION_META)
    return [r for r in dict.fromkeys(line_processing(x) for x in sections if x) if r]


def _clean_title(title: object) -> str | None:
    """The page title with whitespace normalized, or None when blank."""
    if not isinstance(title, str):
        return None
    return " ".join(tidy_quotes(title).split()) or None


def _drop_headlines(text: str, title: str | None, description: str | None) -> str:
    """The body without the headline or standfirst that pages repeat at its top.

    Among the first `HEAD_LINES` lines, a line goes when it is the page title (which often
    ends in the site's name), the page description, or a line that is not a sentence (no
    closing punctuation) made mostly of the title's words.
    """
    if not title:
        return text
    lines = text.strip().split("\n")
    title_key, description_key = _normalized(title), _normalized(description or "")
    title_words = set(_WORDS.findall(title_key))
    kept = lines[HEAD_LINES:]
    for line in reversed(lines[:HEAD_LINES]):
        key = _normalized(line)
        words = set(_WORDS.findall(key))
        headline = key == title_key or (len(words) >= 4 and title_key.startswith(key))
        fragment = not SENTENCE_END.search(line.strip())
        deck = fragment and bool(key) and key == description_key
        variant = fragment and len(words) >= 4 and len(words & title_words) >= 0.6 * len(words)
        if not (headline or deck or variant):
            kept.insert(0, line)
    return "\n".join(kept)


def _anchor_texts(tree: Any) -> frozenset[str]:
    """The texts of the page's links that have three words or more, normalized."""
    texts = (_normalized(str(anchor.text_content())) for anchor in tree.iter("a"))
    return frozenset(text for text in texts if text.count(" ") >= 2)


def _normalized(line: str) -> str:
    """A line for comparison with link texts: no list marks or edge punctuation, folded."""
    return " ".join(line.split()).strip(_EDGES).casefold()


def _drop_link_lines(text: str, anchors: frozenset[str]) -> str:
    """The text without lines that are just a link of the page (related-article lists,
    "Also on ..." teasers): a sentence of the article is rarely the whole text of a link."""
    if not anchors:
        return text
    return "\n".join(line for line in text.split("\n") if _normalized(line) not in anchors)


def _declared_language(declared: object, text: str) -> str | None:
    """The page's declared language (`<html lang>`), unless its script contradicts the text.

    Trusting a plausible declaration spares the statistical detector, the costliest step
    after extraction.
    """
    code = _str_or_none(declared)
    if code is None:
        return None
    code = code.split("-")[0].split("_")[0].lower()
    sample = text[:2000]
    letters = max(1, len(_LETTERS.findall(sample)))
    if code not in _CJK_LANGUAGES and len(_CJK.findall(sample)) > 0.3 * letters:
        return None
    if code not in _CYRILLIC_LANGUAGES and len(_CYRILLIC.findall(sample)) > 0.5 * letters:
        return None
    if code in _CYRILLIC_LANGUAGES and len(_CYRILLIC.findall(sample)) < 0.2 * letters:
        return None
    return code


def _safe_date(value: object) -> datetime | None:
    """The page date, or None when it is missing or malformed (metadata is best-effort)."""
    try:
        return parse_datetime(value)
    except IngestError:
        return None


def _str_or_none(value: object) -> str | None:
    """A non-blank string metadata field, or None."""
    return value.strip() or None if isinstance(value, str) else None
