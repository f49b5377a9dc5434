"""What ROUGE does not show about multi-document summaries: redundancy and coverage.

Redundancy is the share of summary sentence pairs whose cosine similarity (stemmed content-word
counts) exceeds 0.6; coverage is the share of input articles the summary quotes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.summarize import make_stemmer, make_tokenizer, stop_words
from bot.summarize.vectors import (
    content_terms,
    cosine_matrix,
    count_matrix,
    normalize_rows,
    vocabulary,
)

REDUNDANT = 0.6


@dataclass(slots=True)
class PairCount:
    """Sentence pairs seen and how many of them were redundant."""

    pairs: int = 0
    redundant: int = 0

    @property
    def share(self) -> float:
        """The redundant share, in percent."""
        return 100.0 * self.redundant / self.pairs if self.pairs else 0.0


def redundant_pairs(sentences: Sequence[str], language: str) -> PairCount:
    """How many of the sentence pairs have cosine similarity above REDUNDANT."""
    n = len(sentences)
    if n < 2:
        return PairCount()
    tokenizer, stem, stop = make_tokenizer(language), make_stemmer(language), stop_words(language)
    terms = [content_terms(tokenizer.to_words(s), stem, stop) for s in sentences]
    rows = normalize_rows(count_matrix(terms, vocabulary(terms)))
    upper = np.triu(cosine_matrix(rows), 1)
    return PairCount(n * (n - 1) // 2, int(np.count_nonzero(upper > REDUNDANT)))


def coverage(sentences: Sequence[str], docs: Sequence[str]) -> float:
    """The share of `docs` (in percent) that at least one summary sentence is quoted from."""
    if not docs:
        return 0.0
    quoted = sum(1 for doc in docs if any(sentence in doc for sentence in sentences))
    return 100.0 * quoted / len(docs)
