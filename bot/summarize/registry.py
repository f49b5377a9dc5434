"""Name → summarizer registry: sumy's algorithms plus ours, all called as `(document, count)`.

Every entry is built with a stemmer and given stop words by `build_summarizer`: sumy's
`AbstractSummarizer` subclasses, imported on first use, and ours (`rated.RatedSummarizer`).
A summary length is an int (`3`) or a percentage (`"20%"`), as with sumy's `ItemsCount`.
The default method is the one constant `DEFAULT_METHOD`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol

from bot.errors import UnknownMethodError
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.newslead import NewsLeadSummarizer
from bot.summarize.newsrank import NewsRankSummarizer
from bot.summarize.rated import Count, RatedSummarizer, best_sentences

Length = int | str
_PERCENT = re.compile(r"^\s*(\d{1,3})\s*%\s*$")


class SentenceSelector(Protocol):
    """What every registered summarizer is once built: sumy's call signature."""

    def __call__(self, document: Any, sentences_count: Length) -> tuple[Any, ...]:
        """The chosen sentences of the document, in document order."""
        ...


class LeadSummarizer(RatedSummarizer):
    """Lead-N: the first sentences of the article, the baseline news summarizers must beat."""

    def __call__(self, document: Any, sentences_count: Count) -> tuple[Any, ...]:
        """The first `sentences_count` sentences (an earlier sentence always rates higher)."""
        sentences = document.sentences
        ratings = {s: -float(i) for i, s in enumerate(sentences)}
        return best_sentences(sentences, sentences_count, ratings)


# Ours are classes; sumy's are "module:Class", imported when first built (see rated.py).
# Edmundson is left out: it needs hand-made bonus, stigma and null word lists.
METHODS: Final[Mapping[str, type[Any] | str]] = MappingProxyType(
    {
        "newslead": NewsLeadSummarizer,
        "newsrank": NewsRankSummarizer,
        "lead": LeadSummarizer,
        "lexrank": "sumy.summarizers.lex_rank:LexRankSummarizer",
        "textrank": "sumy.summarizers.text_rank:TextRankSummarizer",
        "lsa": "sumy.summarizers.lsa:LsaSummarizer",
        "luhn": "sumy.summarizers.luhn:LuhnSummarizer",
        "sumbasic": "sumy.summarizers.sum_basic:SumBasicSummarizer",
        "kl": "sumy.summarizers.kl:KLSummarizer",
        "reduction": "sumy.summarizers.reduction:ReductionSummarizer",
        "random": "sumy.summarizers.random:RandomSummarizer",
    }
)

# The lead without its defects (see newslead.py): on news nobody tuned on, no method here beats
# the lead in ROUGE-1 and ROUGE-2, newsrank included. Callers only ever name this constant.
DEFAULT_METHOD: Final = "newslead"

# Inputs are cut to a sentence budget before any step that compares sentence pairs (n²):
# the lead of a news text holds its story, and a 300-sentence text is already a book chapter.
MAX_SENTENCES: Final = 300
# sumy's KL re-rates every remaining sentence after each pick and compares word distributions
# each time, so its cost grows as n³: it reads only the first sentences of longer texts.
SENTENCE_CAPS: Final[Mapping[str, int]] = MappingProxyType({"kl": 60})


def available_methods() -> tuple[str, ...]:
    """Registered method names, sorted."""
    return tuple(sorted(METHODS))


def resolve_method(name: str) -> str:
    """The registered name for `name` ("LexRank", "lex-rank" and "lex_rank" all mean lexrank)."""
    key = name.strip().lower().replace("-", "").replace("_", "")
    if key not in METHODS:
        known = ", ".join(available_methods())
        raise UnknownMethodError(f"unknown summarization method {name!r}; known methods: {known}")
    return key


def build_summarizer(name: str, language: str) -> SentenceSelector:
    """A fresh summarizer for a method name, with the language's stemmer and stop words."""
    method = METHODS[resolve_method(name)]
    if isinstance(method, str):
        module, _, attribute = method.partition(":")
        method = getattr(importlib.import_module(module), attribute)
    summarizer = method(make_stemmer(language))
    summarizer.stop_words = stop_words(language)
    return summarizer  # type: ignore[no-any-return]


def sentence_cap(name: str) -> int:
    """How many sentences, from the start of a text, a method reads at most."""
    return SENTENCE_CAPS.get(resolve_method(name), MAX_SENTENCES)


def parse_length(value: Length) -> Length:
    """Validate a summary length: a positive int, a digit string, or a percentage like "20%"."""
    if isinstance(value, bool):
        raise ValueError(f"invalid summary length {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"summary length must be at least 1, not {value}")
        return value
    text = value.strip()
    if text.isdigit():
        return parse_length(int(text))
    match = _PERCENT.match(text)
    if match is None or not 0 < int(match.group(1)) <= 100:
        raise ValueError(f"invalid summary length {value!r}: use a number or a percentage")
    return f"{int(match.group(1))}%"


def resolve_count(length: Length, total: int) -> int:
    """How many of `total` sentences a length asks for (a percentage keeps at least one)."""
    length = parse_length(length)
    if isinstance(length, int):
        return length
    return max(1, total * int(length[:-1]) // 100)
