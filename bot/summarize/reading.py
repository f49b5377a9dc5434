"""One article read as a topic summary reads it: sentences split, cleaned and stemmed.

Splitting and stemming are most of a topic summary's cost (39% of a new topic's, sampled),
so ingestion reads each article once and the store keeps the result (`Article.reading`,
`reading_of`); a summary decodes it (tens of µs) instead. Articles without one (stored
before, or whose title or text changed since) are read again, and `read_article` memoizes
those per (language, title, text), bounded LRU.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.models import Article
from bot.summarize.document import drop_fragments, parse_paragraphs
from bot.summarize.hygiene import changed_in_version_3
from bot.summarize.language import detect_language, pipeline_language
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.tokenizer import make_tokenizer
from bot.summarize.vectors import Terms, content_terms

READ_CACHE_SIZE = 4096  # articles kept split and stemmed (a few KiB each)
# Bump when what `read_article` returns changes (splitter, hygiene, stemmer, stop words):
# stored readings of another version are ignored and the text is read again.
READING_VERSION = 3
# Version 3 added the picture rules (captions never shown, credits and "(pictured)" cut out)
# and Chinese datelines (`hygiene.changed_in_version_3`), version 2 changed Chinese only
# (terms in simplified characters, `bot.hanzi`). So a version-2 reading, or a version-1 one
# of any language but Chinese, is still what `read_article` returns for a text the rules of
# version 3 cannot touch, and is used.
_BEFORE_PICTURES = 2
_BEFORE_CHINESE_FOLD = 1
READING_PREFIX = f"[{READING_VERSION},"  # how a stored reading of this version starts


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """One article split and stemmed: its sentences (fragments dropped) and headline terms."""

    language: str
    texts: tuple[str, ...]
    terms: tuple[Terms, ...]
    title: Terms


@lru_cache(maxsize=READ_CACHE_SIZE)
def read_article(language: str, title: str, text: str, spans: str = "") -> ReadArticle:
    """Split and stem one article in its language, detected when "" (memoized: pure).

    `spans`: where ingestion split it (`Article.sentence_spans`), reused when they fit.
    """
    language = language or detect_language(text)
    tokenizer, stem, stop = make_tokenizer(language), make_stemmer(language), stop_words(language)
    paragraphs = drop_fragments(parse_paragraphs(text, tokenizer, title, spans))
    sentences = [s for p in paragraphs for s in p]
    return ReadArticle(
        language=language,
        texts=tuple(str(s) for s in sentences),
        terms=tuple(content_terms(s.words, stem, stop) for s in sentences),
        title=content_terms(tokenizer.to_words(title), stem, stop),
    )


def _checksum(title: str, text: str) -> int:
    """What a reading was made from: a stored reading is used only for the same title and text."""
    return zlib.crc32(f"{title}\0{text}".encode())


def encode_reading(read: ReadArticle, title: str, text: str) -> str:
    """`read` as stored with its article: JSON, each sentence as its place in `text` when it is
    a slice of it (almost always), else its own text, with its terms space-separated."""
    sentences: list[list[Any]] = []
    start = 0
    for shown, terms in zip(read.texts, read.terms, strict=True):
        found = text.find(shown, start)
        if found < 0:
            found = text.find(shown)
        place: list[Any] = [found, found + len(shown)] if found >= 0 else [shown]
        sentences.append([*place, " ".join(terms)])
        if found >= 0:
            start = found + len(shown)
    record = [READING_VERSION, _checksum(title, text), read.language, " ".join(read.title)]
    return json.dumps([*record, sentences], ensure_ascii=False, separators=(",", ":"))


def decode_reading(reading: str, title: str, text: str) -> ReadArticle | None:
    """The `ReadArticle` a stored reading holds; None when it is of another version or another
    title or text, or is not one at all (then the text is read again)."""
    try:
        version, checksum, language, headline, sentences = json.loads(reading)
        current = version == READING_VERSION or (
            (
                version == _BEFORE_PICTURES
                or (
                    version == _BEFORE_CHINESE_FOLD
                    and pipeline_language(str(language)) != "chinese"
                )
            )
            and not changed_in_version_3(text)
        )
        if not current or checksum != _checksum(title, text):
            return None
        texts: list[str] = []
        terms: list[Terms] = []
        for *place, words in sentences:
            texts.append(text[place[0] : place[1]] if len(place) == 2 else place[0])
            terms.append(tuple(words.split()))
        return ReadArticle(str(language), tuple(texts), tuple(terms), tuple(headline.split()))
    except (ValueError, TypeError, AttributeError, IndexError):
        return None


def reading_of(article: Article) -> str:
    """The reading ingestion stores with an article (`Article.reading`)."""
    read = read_article(article.language, article.title, article.text, article.sentence_spans)
    return encode_reading(read, article.title, article.text)


def stored_or_read(article: Article) -> ReadArticle:
    """The article as read at ingestion when that fits, else read now."""
    if article.reading:
        stored = decode_reading(article.reading, article.title, article.text)
        if stored is not None:
            return stored
    return read_article(article.language, article.title, article.text, article.sentence_spans)
