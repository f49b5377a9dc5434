"""Retrieval evaluation: are the articles a topic answer shows about the topic?

A judged query set (TREC-style qrels, JSON Lines) gives, per query, the graded relevance of
the articles pooled from the bot and from an independent BM25: 2 about the topic, 1 mentions
it substantively, 0 not relevant; an article not listed counts as 0. Each query is in the
"dev" or the "test" half. For the bot (the store's `search`, as `/summary` uses it) and for
a plain Okapi BM25 top-k over the same articles this computes, per language and overall:
P@k (share of shown articles graded ≥ 1), nDCG@k (graded gains), the off-topic rate
(share of shown articles graded 0) and empty-answer correctness (an answer is empty exactly
when the query has no relevant article). Standard errors are over queries.

Line format: {"id", "query", "lang", "split", "judgments": {article url: grade}}.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.evaluate.datasets import DatasetError
from bot.evaluate.stats import standard_error
from bot.models import Article

K = 5
K1, B = 1.2, 0.75  # Okapi BM25's usual constants (Robertson & Zaragoza), not tuned here


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    """One topic query and the graded articles (by URL) judged for it."""

    id: str
    query: str
    lang: str
    split: str
    judgments: dict[str, int]

    @property
    def relevant(self) -> int:
        """How many judged articles are at least substantively about the topic."""
        return sum(1 for grade in self.judgments.values() if grade >= 1)


def load_qrels(path: Path) -> list[JudgedQuery]:
    """The judged queries of a qrels file; DatasetError names a bad line."""
    queries: list[JudgedQuery] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            grades = {str(url): int(grade) for url, grade in raw["judgments"].items()}
            fields = (str(raw["id"]), str(raw["query"]), str(raw["lang"]), str(raw["split"]))
            queries.append(JudgedQuery(*fields, grades))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DatasetError(f"{path}:{number}: not a judged query line") from None
    return queries


@dataclass
class Scores:
    """Per-query figures of one system, grouped by language."""

    by_lang: defaultdict[str, list[tuple[float, float, float, float, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, query: JudgedQuery, shown: Sequence[str], k: int = K) -> None:
        """Score one answer (article URLs, best first)."""
        grades = [query.judgments.get(url, 0) for url in shown[:k]]
        precision = sum(1 for g in grades if g >= 1) / k if query.relevant else math.nan
        ideal = sorted((g for g in query.judgments.values() if g > 0), reverse=True)[:k]
        ndcg = _dcg(grades) / _dcg(ideal) if ideal else math.nan
        off_topic = sum(1 for g in grades if g == 0)
        empty_right = float(bool(grades) == bool(query.relevant))
        self.by_lang[query.lang].append((precision, ndcg, empty_right, off_topic, len(grades)))

    def summary(self, lang: str | None = None) -> dict[str, tuple[float, float]]:
        """Mean and standard error of each figure, for one language or all."""
        rows = [r for key, rs in self.by_lang.items() if lang in (None, key) for r in rs]
        shown = sum(r[4] for r in rows)
        off = sum(r[3] for r in rows)
        off_rate = off / shown if shown else 0.0
        # The off-topic rate is a share of articles: its error treats each answer as a cluster.
        per_query = [r[3] - off_rate * r[4] for r in rows]
        off_se = standard_error(per_query) * len(rows) / shown if shown else 0.0
        return {
            "P@5": _mean_se([r[0] for r in rows]),
            "nDCG@5": _mean_se([r[1] for r in rows]),
            "off-topic": (off_rate, off_se),
            "empty right": _mean_se([r[2] for r in rows]),
        }


def _dcg(grades: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades)))


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    kept = [v for v in values if not math.isnan(v)]
    if not kept:
        return math.nan, math.nan
    return sum(kept) / len(kept), standard_error(kept)


_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[^\W_\u3400-\u4dbf\u4e00-\u9fff]+")


def okapi_tokens(text: str, stem: Callable[[str], str]) -> list[str]:
    """Lowercased word stems, and single CJK characters: the baseline's own analysis."""
    return [stem(token) for token in _TOKEN.findall(text.lower())]


class Okapi:
    """Plain Okapi BM25 (K1, B) over title and text: the baseline."""

    def __init__(self, articles: Sequence[Article], stem: Callable[[str], str]) -> None:
        """Index the articles (kept in memory: the bundled sample is small)."""
        self._stem = stem
        self._urls = [a.url or str(a.id) for a in articles]
        self._docs = [Counter(okapi_tokens(f"{a.title}\n{a.text}", stem)) for a in articles]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._average = sum(self._lengths) / max(len(self._docs), 1)
        frequency: Counter[str] = Counter()
        for doc in self._docs:
            frequency.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def search(self, query: str, k: int = K) -> list[str]:
        """The URLs of the top `k` articles with a positive score."""
        terms = set(okapi_tokens(query, self._stem))
        scored = []
        for number, doc in enumerate(self._docs):
            norm = K1 * (1 - B + B * self._lengths[number] / self._average)
            score = sum(
                self._idf[t] * doc[t] * (K1 + 1) / (doc[t] + norm) for t in terms if t in doc
            )
            if score > 0:
                scored.append((score, number))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self._urls[number] for _, number in scored[:k]]


def table(results: dict[str, Scores], langs: Sequence[str]) -> str:
    """A Markdown table: one row per system and language, mean ± standard error."""
    lines = [
        "| system | lang | P@5 | nDCG@5 | off-topic | empty right |",
        "|---|---|---|---|---|---|",
    ]
    for name, scores in results.items():
        for lang in [*langs, None]:
            figures = scores.summary(lang)
            cells = [f"{m:.3f} ± {s:.3f}" for m, s in figures.values()]
            lines.append(f"| {name} | {lang or 'all'} | {' | '.join(cells)} |")
    return "\n".join(lines)


async def evaluate_retrieval(
    qrels: Path, split: str = "all", store_url: str | None = None
) -> tuple[dict[str, Scores], list[str]]:
    """Score the bot's search and the BM25 baseline on the judged queries of `split`.

    The store is `store_url` (loaded with the bundled sample when empty) or, by default, a
    new SQLite file with the bundled sample. Returns the scores and the languages seen.
    """
    from bot.ingest import load_bundled_sample
    from bot.store import fts, open_store

    queries = [q for q in load_qrels(qrels) if split in ("all", q.split)]
    if not queries:
        raise DatasetError(f"{qrels}: no judged query in split {split!r}")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(store_url or f"sqlite:///{folder}/retrieval.db", auto_migrate=True)
        await store.open()
        try:
            if await store.count_articles() == 0:
                await load_bundled_sample(store)
            okapi = Okapi(await store.latest(1_000_000), fts.stem)
            results = {"newsbot": Scores(), "BM25": Scores()}
            for query in queries:
                found = await store.search(query.query, K)
                results["newsbot"].add(query, [a.url or str(a.id) for a in found])
                results["BM25"].add(query, okapi.search(query.query))
        finally:
            await store.close()
    langs = sorted({q.lang for q in queries})
    return results, langs
