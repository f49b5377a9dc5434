"""Speed of the default summarizer and of topic summaries, against sumy's LexRank.

Run: python benchmarks/speed.py   (reads ../shared/eval/cnndm_dev.jsonl; skips without it)

Prints the median time of the default method per CNN/DailyMail article (first pass, with
empty stem caches, and warm; and sumy's LexRank through the same pipeline, warm), and for
topic summaries over groups of 20 articles (about 500 sentences): our multi-document
summarizer against sumy's LexRank on the same sentences.
Targets (issue 3): under 5 ms per article; under 100 ms per 20-article topic; at least 10×
faster than LexRank.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence

from common import eval_file, exit_code, read_articles, table_row

from bot.models import Article
from bot.summarize import Summarizer, build_summarizer, make_tokenizer
from bot.summarize.document import build_document, drop_fragments, parse_paragraphs
from bot.summarize.topic_input import read_articles as topic_sentences

TOPIC_SIZE = 20


def seconds(call: Callable[[], object]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def article_ms(summarizer: Summarizer, articles: Sequence[Article]) -> list[float]:
    """Milliseconds to summarize each article with the default method."""
    times = []
    for article in articles:
        start = time.perf_counter()
        summarizer.summarize_article(article)
        times.append(1000 * (time.perf_counter() - start))
    return times


def lexrank_ms(articles: Sequence[Article]) -> float:
    """Milliseconds for sumy's LexRank over the articles joined into one document."""
    tokenizer = make_tokenizer("en")
    paragraphs = tuple(
        p for a in articles for p in drop_fragments(parse_paragraphs(a.text, tokenizer, a.title))
    )
    document = build_document(paragraphs, tokenizer)
    lexrank = build_summarizer("lexrank", "en")
    return 1000 * seconds(lambda: lexrank(document, 10))


def topic_ms(summarizer: Summarizer, articles: Sequence[Article], repeat: int = 3) -> float:
    """Best-of-`repeat` milliseconds for one topic summary of the articles."""
    return min(
        1000 * seconds(lambda: summarizer.summarize_topic("police", articles))
        for _ in range(repeat)
    )


def main() -> int:
    """Print the figures; exit 1 when a target is missed."""
    path = eval_file("cnndm_dev.jsonl")
    if path is None:
        return 0
    articles = read_articles(path)
    summarizer = Summarizer()
    cold = statistics.median(article_ms(summarizer, articles))
    warm_times = article_ms(summarizer, articles)
    warm = statistics.median(warm_times)
    p90 = sorted(warm_times)[int(0.9 * len(warm_times))]
    print(f"default method ({summarizer.method}), {len(articles)} CNN/DM articles:")
    print(f"  median {warm:.2f} ms per article warm (p90 {p90:.2f}), {cold:.2f} ms first pass")
    lexrank = statistics.median(article_ms(Summarizer("lexrank"), articles))
    print(
        f"sumy LexRank, same articles, same pipeline: median {lexrank:.2f} ms per article "
        f"({lexrank / warm:.0f}× ours)"
    )
    ok = warm < 5.0
    table_row(
        f"`{summarizer.method}` vs sumy LexRank, one CNN/DM article (median of {len(articles)})",
        f"{warm:.1f} ms warm, {cold:.1f} ms first pass; LexRank "
        f"{lexrank:.0f} ms ({lexrank / warm:.0f}× slower)",
        "< 5 ms",
        ok,
    )
    groups = [articles[i : i + TOPIC_SIZE] for i in range(0, len(articles) - TOPIC_SIZE + 1, 20)]
    print(f"topic summaries over {TOPIC_SIZE} articles ({len(groups)} groups):")
    print(f"  {'sentences':>9} {'ours ms':>8} {'lexrank ms':>10} {'ratio':>6}")
    ratios, tops = [], []
    for group in groups:
        sentences = len(topic_sentences(group, "", 10**6).texts)
        ours, theirs = topic_ms(summarizer, group), lexrank_ms(group)
        ratios.append(theirs / ours)
        tops.append(ours)
        ok = ok and ours < 100.0
        print(f"  {sentences:>9} {ours:>8.1f} {theirs:>10.1f} {theirs / ours:>5.0f}×")
    print(f"  median speed-up over LexRank: {statistics.median(ratios):.0f}×")
    table_row(
        f"topic summary over {TOPIC_SIZE} articles vs sumy LexRank ({len(groups)} groups)",
        f"{min(tops):.0f}–{max(tops):.0f} ms; LexRank {min(ratios):.0f}–{max(ratios):.0f}× "
        f"slower (median {statistics.median(ratios):.0f}×)",
        "< 100 ms, ≥ 10×",
        max(tops) < 100 and min(ratios) >= 10,
    )
    return exit_code(ok and min(ratios) >= 10)


if __name__ == "__main__":
    sys.exit(main())
