"""Do topic answers stay on the topic? Each story's sentences, with and without the query
counted once per story.

Run: python benchmarks/topic_focus.py   (the bundled sample and the judged retrieval queries)

Loads the bundled Wikinews sample into a scratch SQLite store, searches every query of
`benchmarks/data/retrieval_qrels.jsonl` (both halves) as the bot does, and summarizes each
answer as `/summary` does (2 sentences a story) twice: the query's concepts counted once per
story (the default) and once per answer (the method before). Prints, for each:
- the share of shown stories whose sentences name the topic (a query word in any form);
- the share of shown sentences that are their article's first;
- ROUGE-1 F1 of each story's sentences against its own headline, averaged per answer, with
  the paired difference ± its standard error. A headline is not a summary: it stands in for
  "what this article says about its subject", which no reference set here gives for
  query-focused answers.
Then, for the answers whose articles are one story, the headline ROUGE-1 of what the bot
shows (the article method's sentences) against the cover's, paired.
No constant is fitted here; the sample's queries are the judged retrieval set's.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from common import table_row

from bot.evaluate.rouge import Rouge
from bot.ingest import load_bundled_sample
from bot.models import Article
from bot.store import fts, open_store
from bot.summarize import Summarizer
from bot.summarize.service import topic_budget
from bot.summarize.topic import DEFAULT_TOPIC, TopicParams, pick_sentences

QRELS = Path(__file__).resolve().parent / "data" / "retrieval_qrels.jsonl"
METHODS = {
    "query once per story": DEFAULT_TOPIC,
    "query once per answer": TopicParams(query_per_story=False),
}


@dataclass
class Tally:
    """Counts and per-answer headline scores of one method."""

    stories: int = 0
    naming: int = 0
    sentences: int = 0
    leads: int = 0
    headline: list[float] = field(default_factory=list)


def _names(text: str, terms: list[list[str]]) -> bool:
    """Whether the sentence holds a query word in any of its forms."""
    tokens = set(fts.index_tokens(text))
    return any(form in tokens for term in terms for phrase in term for form in phrase.split())


def _score(
    rouge: Rouge, tally: Tally, query: str, found: list[Article], params: TopicParams
) -> None:
    """Summarize one answer and add it to the tally."""
    per_story, budget = 2, topic_budget(len(found), 2)
    picks = pick_sentences(found, words=budget, per_story=per_story, query=query, params=params)
    terms = fts.query_terms(query)
    shown: dict[int, list[str]] = {}
    for pick in picks.picks:
        shown.setdefault(pick.article, []).append(pick.text)
        tally.sentences += 1
        tally.leads += pick.position == 0
    for texts in shown.values():
        tally.stories += 1
        tally.naming += any(_names(text, terms) for text in texts)
    scores = [rouge.score(texts, [found[a].title]).rouge1 for a, texts in shown.items()]
    tally.headline.append(statistics.fmean(scores) if scores else 0.0)


async def measure() -> tuple[dict[str, Tally], list[tuple[float, float]]]:
    """Every judged query's answer, summarized by each method; and for the answers of one
    story, the headline ROUGE-1 of the bot's answer (the article method) and of the cover."""
    queries = [
        json.loads(line)["query"] for line in QRELS.read_text(encoding="utf-8").split("\n") if line
    ]
    tallies = {name: Tally() for name in METHODS}
    rouge, summarizer = Rouge(), Summarizer()
    one_story: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/sample.db", auto_migrate=True)
        await store.open()
        try:
            await load_bundled_sample(store)
            for query in queries:
                found = await store.search(query, 5)
                if not found:
                    continue
                for name, params in METHODS.items():
                    _score(rouge, tallies[name], query, found, params)
                answer = summarizer.summarize_topic(query, found, 2)
                if len(answer.items) == 1:
                    title = [answer.items[0].article.title]
                    budget = topic_budget(len(found), 2)
                    picks = pick_sentences(found, words=budget, per_story=2, query=query)
                    cover = [p.text for p in sorted(picks.picks, key=lambda p: p.position)]
                    one_story.append(
                        (
                            rouge.score(list(answer.items[0].sentences), title).rouge1,
                            rouge.score(cover, title).rouge1,
                        )
                    )
        finally:
            await store.close()
    return tallies, one_story


def main() -> int:
    """Print the table; 0 (there is no target: this measures, it does not gate)."""
    tallies, one_story = asyncio.run(measure())
    answers = len(next(iter(tallies.values())).headline)
    print(f"{answers} answers to the judged queries, 2 sentences a story")
    print("| method | stories naming the topic | first sentences | headline ROUGE-1 |")
    print("|---|---|---|---|")
    for name, tally in tallies.items():
        print(
            f"| {name} | {tally.naming / tally.stories:.3f} ({tally.naming} of {tally.stories})"
            f" | {tally.leads / tally.sentences:.3f} | {statistics.fmean(tally.headline):.2f} |"
        )
    ours, before = (tallies[name].headline for name in METHODS)
    diffs = [a - b for a, b in zip(ours, before, strict=True)]
    error = statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    difference = f"{statistics.fmean(diffs):+.2f} ± {error:.2f}"
    print(f"headline ROUGE-1, once per story - once per answer: {difference} (paired, ± SE)")
    single = [a - b for a, b in one_story]
    spread = statistics.stdev(single) / math.sqrt(len(single))
    print(
        f"answers of one story: {len(one_story)}; their sentences against the headline, R-1:"
        f" the article method {statistics.fmean(a for a, _ in one_story):.2f},"
        f" the cover {statistics.fmean(b for _, b in one_story):.2f},"
        f" {statistics.fmean(single):+.2f} ± {spread:.2f}"
    )
    first = tallies["query once per story"]
    table_row(
        "topic answers naming the topic in each story (judged queries, bundled sample)",
        f"{first.naming / first.stories:.3f}; headline R-1 {difference} vs once an answer",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
