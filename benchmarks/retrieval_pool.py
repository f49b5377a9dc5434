"""Pool candidates for judging topic queries over the bundled sample (a small TREC pool).

Run: python benchmarks/retrieval_pool.py QUERIES.jsonl > pool.txt

For each query ({"id", "query", "lang", "split"} per line) prints the union of the bot's
answer (`Store.search`, top 5, as `/summary` shows it), the articles having every query
word (top 5) and a plain Okapi BM25 top 5, each with its URL, title, categories and opening,
for a person to grade: 2 about the topic, 1 mentions it substantively, 0 not relevant.
The grades go into benchmarks/data/retrieval_qrels.jsonl, or for topics of three words or
more into retrieval_qrels_long.jsonl (`newsbot eval --retrieval FILE`).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.evaluate.retrieval import K, Okapi
from bot.ingest import load_bundled_sample
from bot.store import fts, open_store


def _categories() -> dict[str, list[str]]:
    """Each bundled article's Wikinews categories, by URL (a help for the judge)."""
    found = {}
    for name in ("en", "ru", "zh"):
        data = Path(__file__).resolve().parents[1] / "bot" / "data" / f"wikinews_{name}.jsonl"
        for line in data.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found[record["url"]] = record.get("categories", [])
    return found


async def _pool(lines: list[str]) -> None:
    categories = _categories()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/pool.db")
        await store.open()
        await load_bundled_sample(store)
        articles = await store.latest(1_000_000)
        by_url = {a.url: a for a in articles}
        okapi = Okapi(articles, fts.stem)
        for line in lines:
            query = json.loads(line)
            found = [a.url or "" for a in await store.search(query["query"], K)]
            pool = list(dict.fromkeys([*found, *okapi.search(query["query"], K)]))
            print(f"## {query['id']} [{query['lang']}] {query['query']}")
            for url in pool:
                article = by_url[url]
                opening = article.text[:160].replace("\n", " ")
                shown = ",".join(categories.get(url, [])[:4])
                print(f"- {url} | {article.title[:80]} | {shown} | {opening}")
        await store.close()


if __name__ == "__main__":
    asyncio.run(_pool(Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()))
