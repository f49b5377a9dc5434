"""The sentences of many articles, each read in its own language, as one flat table.

A topic may mix languages (the store searches them all), so each article gets its own
sentence splitter, stemmer and stop words; the query is stemmed with every language present.
Each article is cut to its first `per_article` sentences before anything compares sentences.

Splitting and stemming are most of a topic summary's cost, and popular articles come back in
query after query: `read_article` memoizes them per (language, title, text), bounded LRU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from bot.models import Article
from bot.summarize.document import drop_fragments, parse_paragraphs
from bot.summarize.language import detect_language
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.tokenizer import make_tokenizer
from bot.summarize.vectors import Terms, content_terms

Ints = npt.NDArray[np.int64]
READ_CACHE_SIZE = 4096  # articles kept split and stemmed (a few KiB each)


@dataclass(frozen=True, slots=True)
class TopicInput:
    """Every candidate sentence of a topic, with its article, position, words and terms."""

    texts: list[str]
    terms: list[Terms]
    owner: Ints  # article index of each sentence
    position: Ints  # sentence index within its article
    words: Ints  # whitespace-separated words, for the word budget
    titles: list[Terms]  # headline terms of each article
    query: Terms


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


def read_articles(articles: Sequence[Article], query: str, per_article: int) -> TopicInput:
    """Split, cap and stem every article; stem the query in each language present."""
    texts: list[str] = []
    terms: list[Terms] = []
    owner: list[int] = []
    position: list[int] = []
    titles: list[Terms] = []
    languages: set[str] = set()
    for index, article in enumerate(articles):
        read = read_article(article.language, article.title, article.text, article.sentence_spans)
        languages.add(read.language)
        texts.extend(read.texts[:per_article])
        terms.extend(read.terms[:per_article])
        count = len(read.texts[:per_article])
        owner.extend([index] * count)
        position.extend(range(count))
        titles.append(read.title)
    query_terms: set[str] = set()
    for language in languages:
        words = make_tokenizer(language).to_words(query)
        query_terms.update(content_terms(words, make_stemmer(language), stop_words(language)))
    return TopicInput(
        texts=texts,
        terms=terms,
        owner=np.asarray(owner, dtype=np.int64),
        position=np.asarray(position, dtype=np.int64),
        words=np.asarray([len(t.split()) for t in texts], dtype=np.int64),
        titles=titles,
        query=tuple(sorted(query_terms)),
    )
