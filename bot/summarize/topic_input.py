"""The sentences of many articles, each read in its own language, as one flat table.

A topic may mix languages (the store searches them all), so each article gets its own
sentence splitter, stemmer and stop words; the query is stemmed with every language present.
Each article is cut to its first `per_article` sentences before anything compares sentences.

Each article comes as ingestion read it when the store kept that, else it is read now
(`bot.summarize.reading`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from bot import places
from bot.models import Article
from bot.summarize.language import pipeline_language
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.reading import stored_or_read
from bot.summarize.tokenizer import make_tokenizer, word_count
from bot.summarize.vectors import Terms, content_terms

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TopicInput:
    """Every candidate sentence of a topic, with its article, position, words and terms."""

    texts: list[str]
    terms: list[Terms]
    owner: Ints  # article index of each sentence
    position: Ints  # sentence index within its article
    words: Ints  # words as the budget counts them (`word_count`)
    titles: list[Terms]  # headline terms of each article
    query: Terms


@cache
def _place_terms(pipeline: str) -> dict[str, frozenset[str]]:
    """The stem of each place and adjective of `bot.places` in this language, mapped to the
    stems of its group: a story that writes "Ukrainian" names the topic "Ukraine", as search
    found it (`fts.query_terms`)."""
    table = {"english": places.ENGLISH, "russian": places.RUSSIAN}.get(pipeline, {})
    return places.related(table, make_stemmer(pipeline))


def read_articles(articles: Sequence[Article], query: str, per_article: int) -> TopicInput:
    """Split, cap and stem every article; stem the query in each language present."""
    texts: list[str] = []
    terms: list[Terms] = []
    owner: list[int] = []
    position: list[int] = []
    titles: list[Terms] = []
    languages: set[str] = set()
    for index, article in enumerate(articles):
        read = stored_or_read(article)
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
        asked = content_terms(words, make_stemmer(language), stop_words(language))
        related = _place_terms(pipeline_language(language))
        query_terms.update(asked, *(related.get(term, ()) for term in asked))
    return TopicInput(
        texts=texts,
        terms=terms,
        owner=np.asarray(owner, dtype=np.int64),
        position=np.asarray(position, dtype=np.int64),
        words=np.asarray([word_count(text) for text in texts], dtype=np.int64),
        titles=titles,
        query=tuple(sorted(query_terms)),
    )
