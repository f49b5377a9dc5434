"""A topic answer of one story: the concept cover over one article against the article method.

Run: python benchmarks/one_story.py   (about a minute on 2 cores)

When every article of a `/summary` answer is one story, the answer could show the topic
method's concept cover over that one article, or the article's own summary by the configured
article method (newslead by default). Each article of the single-article sets is summarized
both ways at 2 sentences, a one-story answer's length (`topic_budget(1)` words for the
cover): CNN/DM dev and XSum test against their references, and the bundled Wikinews
articles (en, ru, zh) against their headlines (withheld from both). Prints each set's mean
ROUGE-1 and ROUGE-2 and the paired difference cover − newslead ± its standard error.
Nothing is fitted here.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterator, Sequence

from common import ROOT, eval_file

from bot.evaluate.datasets import load_dataset
from bot.evaluate.rouge import Rouge
from bot.evaluate.stats import standard_error
from bot.models import Article
from bot.summarize import Summarizer, detect_language, make_tokenizer
from bot.summarize.service import topic_budget
from bot.summarize.topic import TopicParams, pick_sentences

SENTENCES = 2


def _sets() -> Iterator[tuple[str, list[tuple[Article, Sequence[str]]]]]:
    """(name, [(article, reference sentences)]) for every set that is present."""
    for name in ("cnndm_dev.jsonl", "xsum_test.jsonl"):
        path = eval_file(name)
        if path is None:
            continue
        cases: list[tuple[Article, Sequence[str]]] = []
        for item in load_dataset(path).items:
            language = detect_language(item.docs[0][:2000])
            reference = make_tokenizer(language).to_sentences(item.reference)
            title = item.titles[0] if item.titles else ""
            cases.append((Article(title=title, text=item.docs[0], language=language), reference))
        yield name, cases
    for language in ("en", "ru", "zh"):
        path = ROOT / "bot" / "data" / f"wikinews_{language}.jsonl"
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        yield (
            f"Wikinews {language}, headline as reference",
            [(Article(title="", text=r["text"], language=language), [r["title"]]) for r in records],
        )


# The cover gives exactly the article method's sentence count (no sentence beyond it).
EXACT = TopicParams(extra_per_story=0)


def main() -> int:
    """Print the comparison per set."""
    rouge, article_method = Rouge(), Summarizer("newslead", SENTENCES)
    print(f"{SENTENCES} sentences; ROUGE F1 x 100; cover - newslead paired, ± standard error")
    for name, cases in _sets():
        cover_scores, lead_scores = [], []
        for article, reference in cases:
            budget = topic_budget(1, SENTENCES)
            picks = pick_sentences([article], words=budget, per_story=SENTENCES, params=EXACT)
            cover = [p.text for p in sorted(picks.picks, key=lambda pick: pick.position)]
            own = list(article_method.summarize_article(article).sentences)
            cover_scores.append(rouge.score(cover, reference))
            lead_scores.append(rouge.score(own, reference))
        parts = []
        for kind in ("rouge1", "rouge2"):
            ours = [getattr(s, kind) for s in cover_scores]
            theirs = [getattr(s, kind) for s in lead_scores]
            diffs = [a - b for a, b in zip(ours, theirs, strict=True)]
            parts.append(
                f"{kind[-1:]}: cover {statistics.fmean(ours):.2f}, newslead "
                f"{statistics.fmean(theirs):.2f}, {statistics.fmean(diffs):+.2f} "
                f"± {standard_error(diffs):.2f}"
            )
        print(f"{name} ({len(cases)}): R-" + "; R-".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
