"""Our summarizers' base: sumy's calling convention without importing sumy's summarizers.

`sumy.summarizers` imports sumy's stemmers, hence nltk, hence scipy.stats: about 35 MB that
the bot never uses (it stems with Snowball itself). Our methods keep sumy's interface —
built with a stemmer, called as `(document, count)`, answering the best sentences in document
order — and its selection rule, so they and sumy's algorithms stay interchangeable; sumy's
own summarizers are imported only when a user picks one (`registry.build_summarizer`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

S = TypeVar("S", bound=Hashable)


def items_count(count: int | str, total: int) -> int:
    """How many of `total` items a count asks for, as sumy's `ItemsCount` reads it: an int,
    a digit string, or a percentage ("20%", at least one)."""
    if isinstance(count, str) and count.endswith("%"):
        return max(1, total * int(count[:-1]) // 100)
    return int(count)


def best_sentences(
    sentences: Sequence[S], count: int | str, ratings: dict[S, float]
) -> tuple[S, ...]:
    """The `count` best-rated sentences, in document order (ties: the earlier sentence)."""
    ranked = sorted(range(len(sentences)), key=lambda i: ratings[sentences[i]], reverse=True)
    chosen = sorted(ranked[: items_count(count, len(sentences))])
    return tuple(sentences[i] for i in chosen)


class RatedSummarizer:
    """A summarizer that rates sentences and keeps the best (see the module docstring)."""

    stop_words: frozenset[str] = frozenset()

    def __init__(self, stemmer: Callable[[str], str]) -> None:
        """Remember the stemmer, as sumy's summarizers do."""
        self._stemmer = stemmer

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        """The chosen sentences of the document, in document order."""
        raise NotImplementedError
