"""Chinese in either script: the judged Chinese queries over stories in the other script.

Run: python benchmarks/chinese_scripts.py   (about 20 seconds)

The bundled Chinese Wikinews articles are in simplified characters, and so are the judged
Chinese queries of benchmarks/data/retrieval_qrels.jsonl. Readers in Taiwan and Hong Kong
(and many sites) write traditional characters. This loads the bundled sample into two fresh
SQLite stores, one as it is and one with every Chinese article converted to traditional
characters by OpenCC (`s2t`, the URLs kept, so the judgments still apply), and asks the
Chinese queries of both halves in either script of each store. Prints P@5, nDCG@5, the
off-topic share and empty-answer correctness per pairing (mean ± standard error over
queries). Target: a query finds what it finds in its own script, so each pairing's nDCG@5
is within 0.01 of the same-script one. Nothing is fitted here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
from pathlib import Path

import opencc
from common import ROOT, exit_code

from bot.evaluate.retrieval import K, Scores, load_qrels
from bot.ingest import load_bundled_sample
from bot.ingest.records import with_sentences
from bot.models import Article
from bot.store import Store, open_store

QRELS = ROOT / "benchmarks" / "data" / "retrieval_qrels.jsonl"
TOLERANCE = 0.01


async def _filled(path: Path, sample: list[Article], convert: opencc.OpenCC | None) -> Store:
    """A new store with the bundled sample's articles, the Chinese ones converted by
    `convert`; both stores are filled the same way, so only the script differs."""
    store = open_store(f"sqlite:///{path}", auto_migrate=True)
    await store.open()
    for article in reversed(sample):
        if convert is not None and article.language == "zh":
            title, text = convert.convert(article.title), convert.convert(article.text)
            article = dataclasses.replace(article, title=title, text=text, reading="")
        await store.add_article(with_sentences(dataclasses.replace(article, id=None)))
    return store


async def _sample(path: Path) -> list[Article]:
    """The bundled sample's articles, newest first, as a store holds them."""
    source = open_store(f"sqlite:///{path}", auto_migrate=True)
    await source.open()
    try:
        await load_bundled_sample(source)
        return await source.latest(1_000_000)
    finally:
        await source.close()


async def main() -> int:
    """Print the table; 0 when every pairing meets the target."""
    queries = [query for query in load_qrels(QRELS) if query.lang == "zh"]
    to_traditional = opencc.OpenCC("s2t")
    with tempfile.TemporaryDirectory() as folder:
        sample = await _sample(Path(folder) / "sample.db")
        stores = {
            "simplified": await _filled(Path(folder) / "simplified.db", sample, None),
            "traditional": await _filled(Path(folder) / "traditional.db", sample, to_traditional),
        }
        try:
            results: dict[tuple[str, str], Scores] = {}
            for written, store in stores.items():
                for asked in ("simplified", "traditional"):
                    scores = results[written, asked] = Scores()
                    for query in queries:
                        text = query.query
                        if asked == "traditional":
                            text = to_traditional.convert(text)
                        found = await store.search(text, K)
                        scores.add(query, [article.url or "" for article in found])
        finally:
            for store in stores.values():
                await store.close()
    print(f"{len(queries)} judged Chinese queries (both halves); mean ± standard error")
    print("| stories written in | topic typed in | P@5 | nDCG@5 | off-topic | empty right |")
    print("|---|---|---|---|---|---|")
    missed = []
    for (written, asked), scores in results.items():
        figures = scores.summary()
        cells = " | ".join(f"{mean:.3f} ± {error:.3f}" for mean, error in figures.values())
        print(f"| {written} | {asked} | {cells} |")
        own = results[written, written].summary()["nDCG@5"][0]
        if abs(figures["nDCG@5"][0] - own) > TOLERANCE:
            missed.append(f"{written} stories, {asked} topics")
    print(f"target: nDCG@5 within {TOLERANCE} of the same script: ", end="")
    print(f"missed for {', '.join(missed)}" if missed else "met")
    return exit_code(not missed)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
