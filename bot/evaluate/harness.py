"""Runs every system over a dataset and averages ROUGE, time, redundancy and coverage.

Each item's language is detected once, outside the timed call; a system's time is the wall
time of its call alone (splitting, stemming and ranking included), averaged per item, after
one untimed warm-up call that loads the sentence splitter and fills the stem caches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UnknownMethodError
from bot.evaluate.datasets import Dataset, Kind, load_dataset
from bot.evaluate.metrics import PairCount, coverage, redundant_pairs
from bot.evaluate.rouge import Rouge, Scores
from bot.evaluate.stats import standard_error
from bot.evaluate.systems import LEAD, ORACLE, TOPIC, Prepared, make_system
from bot.summarize import DEFAULT_METHOD, available_methods, detect_language, make_tokenizer
from bot.summarize.registry import SENTENCE_CAPS, resolve_method
from bot.summarize.service import TOPIC_SENTENCES, topic_budget


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One system's averages over the dataset (ROUGE F1 and percentages × 100)."""

    rouge1: float
    rouge2: float
    rougeLsum: float
    ms: float
    redundancy: float | None = None  # multi-document only
    coverage: float | None = None  # multi-document only
    rouge1_se: float = 0.0  # standard error of the R-1 mean over items


@dataclass(frozen=True, slots=True)
class Report:
    """What `newsbot eval` prints."""

    dataset: str
    kind: Kind
    items: int
    length: str  # "3 sentences" or "250 words"
    default: str
    results: dict[str, MethodResult]
    notes: tuple[str, ...] = ()


def method_names(kind: Kind, wanted: Sequence[str] | None = None) -> list[str]:
    """The systems to run: the default first, then lead, the other methods and the oracle."""
    first = [DEFAULT_METHOD, LEAD] if kind == "single" else [TOPIC, LEAD, DEFAULT_METHOD]
    everything = list(dict.fromkeys([*first, *available_methods(), ORACLE]))
    if not wanted:
        return everything
    special = {ORACLE, TOPIC} if kind == "multi" else {ORACLE}
    names = [w if w in special else resolve_method(w) for w in wanted]
    if unknown := [n for n in names if n not in everything]:
        raise UnknownMethodError(f"{unknown[0]!r} does not apply to {kind}-document data")
    return list(dict.fromkeys(names))


def _mean(values: Sequence[float]) -> float:
    """The arithmetic mean (0 for no values)."""
    return sum(values) / len(values) if values else 0.0


def run_system(
    name: str, prepared: Sequence[Prepared], dataset: Dataset, budget: tuple[int, int]
) -> MethodResult:
    """One system over every item."""
    system = make_system(name, dataset.kind, *budget)
    if prepared:
        system(prepared[0])  # warm-up: load models and caches outside the timed calls
    rouge = Rouge()
    scores: list[Scores] = []
    seconds = 0.0
    pairs = PairCount()
    covered: list[float] = []
    for case in prepared:
        start = time.perf_counter()
        summary = system(case)
        seconds += time.perf_counter() - start
        tokenizer = make_tokenizer(case.language)
        references = [tokenizer.to_sentences(text) for text in case.item.references]
        scores.append(rouge.score_multi(summary, references))
        if dataset.kind == "multi":
            counted = redundant_pairs(summary, case.language)
            pairs.pairs += counted.pairs
            pairs.redundant += counted.redundant
            covered.append(coverage(summary, case.item.docs))
    multi = dataset.kind == "multi"
    return MethodResult(
        rouge1=_mean([s.rouge1 for s in scores]),
        rouge2=_mean([s.rouge2 for s in scores]),
        rougeLsum=_mean([s.rougeLsum for s in scores]),
        ms=1000.0 * seconds / max(len(prepared), 1),
        redundancy=pairs.share if multi else None,
        coverage=_mean(covered) if multi else None,
        rouge1_se=standard_error([s.rouge1 for s in scores]),
    )


def _notes(names: Sequence[str]) -> tuple[str, ...]:
    """Caveats about the systems run (sentence caps of super-quadratic methods)."""
    return tuple(
        f"{name} reads only the first {SENTENCE_CAPS[name]} sentences of each input "
        "(its cost grows as n³)"
        for name in names
        if name in SENTENCE_CAPS
    )


def _cluster_length(words: int) -> str:
    """How long the cluster summaries were."""
    if words:
        return f"{words} words"
    return (
        f"as /summary answers ({TOPIC_SENTENCES} sentences per story, one more for a story that"
        f" holds more, at most {topic_budget(1)} words per article; every method cut to the"
        " answer's length)"
    )


def evaluate(
    path: Path,
    *,
    sentences: int = 3,
    words: int = 250,
    limit: int | None = None,
    methods: Sequence[str] | None = None,
) -> Report:
    """Score every requested system on the dataset at `path` (`words=0`: as /summary)."""
    dataset = load_dataset(path, limit)
    names = method_names(dataset.kind, methods)
    prepared = [
        Prepared(item, detect_language(" ".join(item.docs)[:2000])) for item in dataset.items
    ]
    results = {name: run_system(name, prepared, dataset, (sentences, words)) for name in names}
    single = dataset.kind == "single"
    return Report(
        dataset=dataset.name,
        kind=dataset.kind,
        items=len(dataset.items),
        length=f"{sentences} sentence(s)" if single else _cluster_length(words),
        default=DEFAULT_METHOD if single else TOPIC,
        results=results,
        notes=_notes(names),
    )
