"""Extraction accuracy and boilerplate in summaries, on ../shared/extraction (85 real pages).

Run: python benchmarks/extraction.py   (skips when ../shared/extraction is absent)

Every page goes through the same path as a fetched page (`read_page`, then the per-site
repeated-line filter and the store, one page at a time into a fresh SQLite store), and the
stored text is compared with the page's hand-made article body by the benchmark's metric
(its README): tokens are lower-cased `\\w+` runs, shingles are runs of 4 tokens, and per page
precision = shared / extracted shingles and recall = shared / true shingles (counted with
multiplicity), averaged over pages; F1 is the harmonic mean of the two averages. A page the
pipeline refuses counts as extracting nothing.

Boilerplate in summaries: each stored article is summarized (3 sentences, LexRank as in the
README's reference figures, and the bot's default method); a summary sentence is boilerplate
when fewer than half of its shingles occur in the true body.
Targets (issue 4): F1 ≥ 0.96; boilerplate under 4% of summary sentences.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import exit_code, table_row

from bot.errors import IngestError
from bot.ingest.fetch import FetchResult
from bot.ingest.pages import read_page
from bot.ingest.pipeline import store_batch
from bot.ingest.web import page_candidate
from bot.store import Store, open_store
from bot.summarize import DEFAULT_METHOD, Summarizer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "extraction"
_TOKEN = re.compile(r"\w+")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The text's 4-token shingles with their counts."""
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def page_scores(extracted: str, truth: str) -> tuple[float, float]:
    """Precision and recall of one page (an empty side scores 0, an empty truth 1)."""
    got, want = shingles(extracted), shingles(truth)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 1.0
    return precision, recall


async def stored_texts(pages: list[tuple[str, str]], store: Store) -> dict[str, str]:
    """The text the pipeline stores for each (id, url), "" when the page is refused."""
    texts: dict[str, str] = {}
    for page_id, url in pages:
        body = (DATA / "html" / f"{page_id}.html").read_bytes()
        try:
            page = await asyncio.to_thread(read_page, body, None, url)
        except IngestError as exc:
            print(f"  refused {page_id[:8]} ({url}): {exc}")
            texts[page_id] = ""
            continue
        fetched = FetchResult(url, url, 200, "text/html", None, body)
        [outcome] = await store_batch(store, [page_candidate(page, fetched, None, None)])
        article = await store.get_article(outcome.article_id or 0)
        texts[page_id] = article.text if article else ""
    return texts


def boilerplate_share(texts: dict[str, str], truth: dict[str, str], method: str) -> float:
    """Share of summary sentences that are not from the true article body."""
    summarizer = Summarizer(method=method, sentences=3)
    total = bad = 0
    for page_id, text in texts.items():
        want = set(shingles(truth[page_id]))
        for sentence in summarizer.summarize_text(text):
            grams = shingles(sentence)
            if not grams:
                continue
            total += 1
            bad += sum(g in want for g in grams) * 2 < len(grams)
    return bad / max(total, 1)


async def main() -> int:
    """Print extraction and boilerplate figures; exit 1 when a target is missed."""
    if not (DATA / "ground-truth.json").is_file():
        print(f"skipped: {DATA} is not present")
        return 0
    truth_file = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    truth = {k: str(v["articleBody"]) for k, v in truth_file.items()}
    pages = sorted((k, str(v["url"])) for k, v in truth_file.items())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.db")
        await store.open()
        try:
            texts = await stored_texts(pages, store)
        finally:
            await store.close()
    seconds = time.perf_counter() - started
    scores = [page_scores(texts[k], truth[k]) for k, _ in pages]
    precision = sum(p for p, _ in scores) / len(scores)
    recall = sum(r for _, r in scores) / len(scores)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"pages: {len(pages)}, {1000 * seconds / len(pages):.0f} ms/page (one process)")
    print(f"extraction F1 {f1:.4f}  precision {precision:.4f}  recall {recall:.4f}")
    shares = {m: boilerplate_share(texts, truth, m) for m in ("lexrank", DEFAULT_METHOD)}
    for method, share in shares.items():
        print(f"boilerplate in {method} summaries: {100 * share:.1f}% of sentences")
    ok = f1 >= 0.96 and max(shares.values()) < 0.04
    print("targets (F1 >= 0.96, boilerplate < 4%):", "met" if ok else "MISSED")
    table_row(
        f"extraction of {len(pages)} pages: F1 / boilerplate in summaries (worst method)",
        f"F1 {f1:.3f} / {100 * max(shares.values()):.1f}% of sentences, "
        f"{1000 * seconds / len(pages):.0f} ms a page",
        "F1 ≥ 0.96, < 4%",
        ok,
    )
    return exit_code(ok)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
