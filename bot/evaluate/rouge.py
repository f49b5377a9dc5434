"""ROUGE as the literature reports it, in every language, and the greedy extractive oracle.

Scores come from `rouge-score` (ROUGE-1, ROUGE-2 and ROUGE-Lsum F1), with one sentence per line
in both texts for ROUGE-Lsum, times 100. Its own tokenizer keeps only [a-z0-9]: a Russian or
Chinese summary scored against itself got 0, and the oracle picked such sentences blind. The
tokenizer here is Unicode-aware and, on ASCII words, exactly rouge-score's: lower-cased runs
of letters and digits, Porter stems for words over three letters (so English scores stay
those of the literature); Cyrillic words get Snowball's Russian stems; CJK text is one token
per character; other words are kept as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from nltk.stem import porter
from rouge_score import rouge_scorer, tokenizers

TYPES = ("rouge1", "rouge2", "rougeLsum")
_porter = porter.PorterStemmer()


@lru_cache(maxsize=1 << 18)
def _stem(word: str) -> str:
    """Porter stem of a word, once per process."""
    return str(_porter.stem(word))


_russian = snowballstemmer.stemmer("russian")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_ASCII = re.compile(r"[a-z0-9]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=1 << 18)
def _token(word: str) -> str:
    """The scoring form of one lower-cased word (see the module's docstring)."""
    if _ASCII.fullmatch(word):
        return _stem(word) if len(word) > 3 else word
    if _CYRILLIC.search(word):
        return str(_russian.stemWord(word.replace("ё", "е")))
    return word


def unicode_tokens(text: str) -> list[str]:
    """The tokens ROUGE compares: rouge-score's on English, meaningful in every script."""
    return [_token(word) for word in _TOKEN.findall(text.lower())]


class CachedTokenizer(tokenizers.Tokenizer):  # type: ignore[misc]
    """The Unicode tokenizer, in the shape rouge-score's scorer asks for."""

    def tokenize(self, text: str) -> list[str]:
        """Tokens of `text` (see `unicode_tokens`)."""
        return unicode_tokens(text)


@dataclass(frozen=True, slots=True)
class Scores:
    """ROUGE F1 × 100."""

    rouge1: float
    rouge2: float
    rougeLsum: float


class Rouge:
    """Scores summaries against references, sentence lists in, F1 × 100 out."""

    def __init__(self) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(TYPES), tokenizer=CachedTokenizer())

    def score(self, summary: Sequence[str], reference: Sequence[str]) -> Scores:
        """ROUGE-1/2/Lsum F1 of a summary, both given one sentence per item."""
        result = self._scorer.score("\n".join(reference), "\n".join(summary))
        return Scores(*(100.0 * result[kind].fmeasure for kind in TYPES))

    def score_multi(self, summary: Sequence[str], references: Sequence[Sequence[str]]) -> Scores:
        """The best F1 over several references, per ROUGE type (rouge-score's `score_multi`)."""
        each = [self.score(summary, reference) for reference in references]
        return Scores(*(max(getattr(s, kind) for s in each) for kind in TYPES))


Gram = tuple[str, ...]


def _ngrams(tokens: Sequence[str], n: int) -> Counter[Gram]:
    """The n-grams of a token list, counted."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, predicted: int, target: int) -> float:
    """F1 from an overlap count and the two totals, as rouge-score computes it."""
    if overlap == 0 or predicted == 0 or target == 0:
        return 0.0
    precision, recall = overlap / predicted, overlap / target
    return 2 * precision * recall / (precision + recall)


def _gain(summary: Sequence[Counter[Gram]], reference: Sequence[Counter[Gram]]) -> float:
    """ROUGE-1 F1 + ROUGE-2 F1 of summary n-gram counts against the reference's."""
    total = 0.0
    for predicted, target in zip(summary, reference, strict=True):
        overlap = sum((predicted & target).values())
        total += _f1(overlap, predicted.total(), target.total())
    return total


def greedy_oracle(
    sentences: Sequence[str], reference: str, count: int | None = None, words: int | None = None
) -> list[str]:
    """Sentences picked greedily for ROUGE-1 + ROUGE-2 against the reference, in pick order.

    Stops when nothing improves the score, after `count` sentences, or once `words` is reached.
    """
    tokenizer = CachedTokenizer()
    grams = []
    for sentence in sentences:
        tokens = tokenizer.tokenize(sentence)
        grams.append((_ngrams(tokens, 1), _ngrams(tokens, 2)))
    ref_tokens = tokenizer.tokenize(reference)
    target = (_ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2))
    summary: tuple[Counter[Gram], Counter[Gram]] = (Counter(), Counter())
    picked: list[int] = []
    best, length = 0.0, 0
    while (count is None or len(picked) < count) and (words is None or length < words):
        gains = {
            i: _gain((summary[0] + g[0], summary[1] + g[1]), target)
            for i, g in enumerate(grams)
            if i not in picked
        }
        index = max(gains, key=gains.__getitem__, default=-1)  # the first best on ties
        if index < 0 or gains[index] <= best:
            break
        best = gains[index]
        picked.append(index)
        summary = (summary[0] + grams[index][0], summary[1] + grams[index][1])
        length += len(sentences[index].split())
    return [sentences[i] for i in picked]
