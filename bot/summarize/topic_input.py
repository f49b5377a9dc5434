"""The sentences of many articles, each read in its own language, as one flat table.

A topic may mix languages (the store searches them all), so each article gets its own
sentence splitter, stemmer and stop words; the query is stemmed with every language present.
Each article is cut to its first `per_article` sentences before anything compares sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.models import Article
from bot.summarize.document import cap_sentences, drop_fragments, parse_paragraphs
from bot.summarize.language import detect_language
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.tokenizer import make_tokenizer
from bot.summarize.vectors import Terms, content_terms

Ints = npt.NDArray[np.int64]


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


def _language(article: Article) -> str:
    """The article's language, detected when the source did not say."""
    return article.language or detect_language(article.text)


def read_articles(articles: Sequence[Article], query: str, per_article: int) -> TopicInput:
    """Split, cap and stem every article; stem the query in each language present."""
    texts: list[str] = []
    terms: list[Terms] = []
    owner: list[int] = []
    position: list[int] = []
    titles: list[Terms] = []
    query_terms: set[str] = set()
    for index, article in enumerate(articles):
        language = _language(article)
        tokenizer, stem, stop = (
            make_tokenizer(language),
            make_stemmer(language),
            stop_words(language),
        )
        paragraphs = drop_fragments(parse_paragraphs(article.text, tokenizer, article.title))
        sentences = [s for p in cap_sentences(paragraphs, per_article) for s in p]
        for number, sentence in enumerate(sentences):
            texts.append(str(sentence))
            terms.append(content_terms(sentence.words, stem, stop))
            owner.append(index)
            position.append(number)
        titles.append(content_terms(tokenizer.to_words(article.title), stem, stop))
        query_terms.update(content_terms(tokenizer.to_words(query), stem, stop))
    return TopicInput(
        texts=texts,
        terms=terms,
        owner=np.asarray(owner, dtype=np.int64),
        position=np.asarray(position, dtype=np.int64),
        words=np.asarray([len(t.split()) for t in texts], dtype=np.int64),
        titles=titles,
        query=tuple(sorted(query_terms)),
    )
