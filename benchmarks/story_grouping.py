"""Checks the story-grouping thresholds on BBC News: distinct articles apart, copies together.

Run: python benchmarks/story_grouping.py   (reads ../shared/eval/bbc_news.jsonl)

Draws 30 "topics" of 20 articles from one BBC category each (what a store search returns),
adds to each a re-post of one of them (a third of its sentences dropped, two swapped, a
boilerplate line added), and counts how often `same_story` joins two distinct articles and
how often it joins the re-post to its original. BBC News is a topic-labelled corpus, not a
summarization test set; ROUGE is not computed here.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from common import eval_file

from bot.models import Article
from bot.summarize import make_tokenizer
from bot.summarize.stories import same_story
from bot.summarize.topic_input import read_articles
from bot.summarize.vectors import Mask, cosine_matrix, count_matrix, tfidf, vocabulary

GROUPS, SIZE = 30, 20


def categories(path: Path) -> dict[str, list[Article]]:
    """BBC articles by category."""
    found: dict[str, list[Article]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            article = Article(title=record["title"], text=record["text"], source="BBC")
            found.setdefault(record["category"], []).append(article)
    return found


def repost(article: Article, rng: random.Random) -> Article:
    """A trimmed, lightly reordered copy with a boilerplate line, as another site might run it."""
    tokenizer = make_tokenizer("en")
    sentences = [s for line in article.text.splitlines() for s in tokenizer.to_sentences(line)]
    kept = [s for s in sentences if rng.random() > 1 / 3] or sentences[:1]
    if len(kept) > 2:
        kept[1], kept[2] = kept[2], kept[1]
    text = "\n".join([*kept, "Follow us on social media for more news."])
    return Article(title=article.title, text=text, source="Other site")


def judge(articles: Sequence[Article]) -> Mask:
    """The same-story matrix the topic summarizer would compute."""
    data = read_articles(articles, "", 60)
    counts = count_matrix(data.terms, vocabulary(data.terms))
    similarity = cosine_matrix(tfidf(counts))
    return same_story(counts, similarity, data.owner, len(articles))


def main() -> int:
    """Print false merges among distinct articles and the share of re-posts recognized."""
    path = eval_file("bbc_news.jsonl")
    if path is None:
        return 0
    rng = random.Random(1)
    by_category = categories(path)
    pairs = wrong = found = 0
    for _ in range(GROUPS):
        group = rng.sample(by_category[rng.choice(sorted(by_category))], SIZE)
        copied = rng.randrange(SIZE)
        same = judge([*group, repost(group[copied], rng)])
        for a in range(SIZE):
            for b in range(a + 1, SIZE):
                if group[a].text.strip() != group[b].text.strip():  # BBC has a few exact repeats
                    pairs += 1
                    if same[a, b]:
                        wrong += 1
                        print(f"  joined: {group[a].title!r} + {group[b].title!r}")
        found += int(same[copied, SIZE])
    print(f"distinct article pairs joined: {wrong} of {pairs}")
    print(f"re-posts joined to their original: {found} of {GROUPS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
