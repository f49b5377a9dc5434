"""Our summarizers' base: sumy's calling convention without importing sumy's summarizers.

`sumy.summarizers` imports sumy's stemmers, hence nltk, hence scipy.stats: about 35 MB that
the bot never uses (it stems with Snowball itself). Our methods keep sumy's interface —
built with a stemmer, called as `(document, count)`, answering the best sentences in document
order — and its selection rule, so they and sumy's algorithms stay interchangeable; sumy's
own summarizers are imported only when a user picks one (`registry.build_summarizer`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

S = TypeVar("S", bound=Hashable)


class SentenceInfo(NamedTuple, Generic[S]):
    """A rated sentence, as sumy hands them to a callable count: best first."""

    sentence: S
    order: int
    rating: float


# A count: a number, a digit string or a percentage, or, as sumy also allows, a callable that
# picks from the rated sentences (best first), e.g. until a word budget.
Count = int | str | Callable[[list[SentenceInfo[Any]]], Sequence[SentenceInfo[Any]]]


def items_count(count: int | str, total: int) -> int:
    """How many of `total` items a count asks for, as sumy's `ItemsCount` reads it: an int,
    a digit string, or a percentage ("20%", at least one)."""
    if isinstance(count, str) and count.endswith("%"):
        return max(1, total * int(count[:-1]) // 100)
    return int(count)


def best_sentences(sentences: Sequence[S], count: Count, ratings: dict[S, float]) -> tuple[S, ...]:
    """The `count` best-rated sentences, in document order (ties: the earlier sentence)."""
    ranked = sorted(range(len(sentences)), key=lambda i: ratings[sentences[i]], reverse=True)
    if callable(count):
        infos = [SentenceInfo(sentences[i], i, ratings[sentences[i]]) for i in ranked]
        chosen = sorted(info.order for info in count(infos))
    else:
        chosen = sorted(ranked[: items_count(count, len(sentences))])
    return tuple(sentences[i] for i in chosen)


class RatedSummarizer:
    """A summarizer that rates sentences and keeps the best (see the module docstring)."""

    stop_words: frozenset[str] = frozenset()

    def __init__(self, stemmer: Callable[[str], str]) -> None:
        """Remember the stemmer, as sumy's summarizers do."""
        self._stemmer = stemmer

    def __call__(self, document: Any, sentences_count: Count) -> tuple[Any, ...]:
        """The chosen sentences of the document, in document order."""
        raise NotImplementedError
