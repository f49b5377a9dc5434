"""How NewsRank's constants were chosen: a grid search on the CNN/DM development set only.

Run: python benchmarks/tune_newsrank.py   (reads ../shared/eval/cnndm_dev.jsonl; ~2 minutes)

Every setting of the grid ranks the sentences of each dev article exactly as the bot does
(same splitter, fragment rule, sentence budget, stemmer and stop words) and is scored by mean
ROUGE-1 F1 of its 3-sentence summaries. It prints the best settings, where the defaults of
`NewsRankParams` stand, and a 2-fold cross-validation on three random splits: the setting tuned
on one half, scored against Lead-3 on the other half, shows how much of the gain is real.
XSum and Multi-News are test sets and are never read here.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from common import eval_file

from bot.evaluate import load_dataset
from bot.evaluate.rouge import Rouge
from bot.summarize import make_stemmer, make_tokenizer, stop_words
from bot.summarize.document import cap_sentences, drop_fragments, parse_paragraphs
from bot.summarize.newsrank import DEFAULT_PARAMS, NewsRankParams, combine, ranking
from bot.summarize.registry import MAX_SENTENCES
from bot.summarize.vectors import (
    Matrix,
    content_terms,
    cosine_matrix,
    count_matrix,
    tfidf,
    vocabulary,
)

COUNT = 3
GRID = {
    "beta": (0.0, 0.2),
    "backward": (-0.5, -0.25, 0.0),
    "lead": (0.5, 0.75, 1.0),
    "decay": (0.5, 1.0),
    "long_words": (40, 50),
    "long_penalty": (0.0, 0.5, 1.0, 1.5),
    "repeat": (0.5, 1.01),  # 1.01: never treat a sentence as a repeat
}


@dataclass(frozen=True, slots=True)
class Case:
    """One dev article, prepared once: sentences, cosines, lengths, reference sentences."""

    texts: list[str]
    similarity: Matrix
    lengths: list[int]
    reference: list[str]


def prepare(text: str, reference: str) -> Case:
    """Split and vectorize an article as the bot's NewsRank path does."""
    tokenizer, stem, stop = make_tokenizer("en"), make_stemmer("en"), stop_words("en")
    paragraphs = cap_sentences(drop_fragments(parse_paragraphs(text, tokenizer)), MAX_SENTENCES)
    sentences = [s for p in paragraphs for s in p]
    terms = [content_terms(s.words, stem, stop) for s in sentences]
    rows = tfidf(count_matrix(terms, vocabulary(terms)))
    return Case(
        texts=[str(s) for s in sentences],
        similarity=cosine_matrix(rows),
        lengths=[len(s.words) for s in sentences],
        reference=list(tokenizer.to_sentences(reference)),
    )


class Scorer:
    """ROUGE of a chosen sentence set, remembered (many settings choose the same sentences)."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = cases
        self.rouge = Rouge()
        self.memo: dict[tuple[int, tuple[int, ...]], tuple[float, float, float]] = {}

    def chosen(self, index: int, params: NewsRankParams | None) -> tuple[int, ...]:
        """The sentences NewsRank (or Lead when params is None) picks for one case."""
        case = self.cases[index]
        if params is None or len(case.texts) <= COUNT:
            return tuple(range(min(COUNT, len(case.texts))))
        scores = combine(case.similarity, None, case.lengths, params)
        return tuple(sorted(ranking(scores, case.similarity, params.repeat)[:COUNT]))

    def mean(self, params: NewsRankParams | None, indices: Iterable[int]) -> Matrix:
        """Mean ROUGE-1/2/Lsum over the cases."""
        rows = []
        for index in indices:
            key = (index, self.chosen(index, params))
            if key not in self.memo:
                case = self.cases[index]
                s = self.rouge.score([case.texts[i] for i in key[1]], case.reference)
                self.memo[key] = (s.rouge1, s.rouge2, s.rougeLsum)
            rows.append(self.memo[key])
        return np.asarray(np.mean(np.asarray(rows), axis=0), dtype=np.float64)


def settings() -> list[NewsRankParams]:
    """Every setting of the grid."""
    names = list(GRID)
    grid: list[dict[str, Any]] = [
        dict(zip(names, values, strict=True)) for values in itertools.product(*GRID.values())
    ]
    return [replace(DEFAULT_PARAMS, **values) for values in grid]


def best(scorer: Scorer, indices: Sequence[int]) -> list[tuple[float, NewsRankParams]]:
    """All settings by ROUGE-1 on the given cases, best first."""
    ranked = [(float(scorer.mean(p, indices)[0]), p) for p in settings()]
    return sorted(ranked, key=lambda pair: -pair[0])


def show(label: str, figures: Matrix) -> None:
    """One line of ROUGE figures."""
    print(f"  {label:<28} R-1 {figures[0]:5.2f}  R-2 {figures[1]:5.2f}  R-Lsum {figures[2]:5.2f}")


def main() -> int:
    """Grid search, then cross-validation; print both."""
    path = eval_file("cnndm_dev.jsonl")
    if path is None:
        return 0
    items = load_dataset(path).items
    scorer = Scorer([prepare(item.docs[0], item.reference) for item in items])
    everything = list(range(len(items)))
    ranked = best(scorer, everything)
    print(f"{len(ranked)} settings on {len(items)} dev articles, {COUNT} sentences each")
    show("Lead-3", scorer.mean(None, everything))
    for score, params in ranked[:5]:
        show(f"R-1 {score:.2f}", scorer.mean(params, everything))
        print(f"    {params}")
    place = [p for _, p in ranked].index(DEFAULT_PARAMS) + 1
    show(f"defaults (rank {place})", scorer.mean(DEFAULT_PARAMS, everything))
    gains = []
    for seed in range(3):
        order = everything[:]
        random.Random(seed).shuffle(order)
        halves = (order[: len(order) // 2], order[len(order) // 2 :])
        for train, test in (halves, halves[::-1]):
            tuned = best(scorer, train)[0][1]
            gains.append(scorer.mean(tuned, test) - scorer.mean(None, test))
    for fold, gain in enumerate(gains, 1):
        show(f"fold {fold}: held-out gain", gain)
    show("mean held-out gain", np.mean(np.asarray(gains), axis=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
