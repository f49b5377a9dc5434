"""Topic search on 100,000 articles, SQLite and PostgreSQL: median and p99 latency, store size.

    python benchmarks/search_scale.py [--articles 100000] [--pg-url postgresql://...]

The articles are synthetic but read like news: each is a random mix of 6-14 sentences of the
BBC News set (../shared/eval/bbc_news.jsonl, read at run time, never copied here), titled
with a BBC headline, dated over the past year. They are bulk-loaded through the stores'
own import path (`bot.store.transfer`), which builds the same search index as add_article.
Queries are typical topics (one to three words, English and a few Russian) plus word pairs
taken from headlines; each is timed through `Store.search(query, limit=10)` after a warm-up.
Targets: SQLite median < 20 ms, PostgreSQL median < 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from common import eval_file, exit_code, plot_point, table_row

from bot.models import content_hash
from bot.store.sqlstore import SqlStore
from bot.store.transfer import FORMAT, FORMAT_VERSION, import_dump

TARGETS_MS = {"sqlite": 20.0, "postgresql": 30.0}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA = "bench_search_scale"
QUERIES = (
    "election", "oil prices", "mobile phone", "champions league", "interest rates",
    "tsunami aid", "microsoft software", "film awards", "tony blair", "economic growth",
    "house prices", "chelsea", "iraq", "olympic games", "music downloads", "budget deficit",
    "china exports", "video games", "rugby world cup", "stock market", "labour party",
    "broadband internet", "oscar nominations", "tennis open", "government plans to cut tax",
    "Китай", "экономика", "выборы",
)  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _corpus(path: Path) -> tuple[list[str], list[str]]:
    """(headlines, sentences) of the BBC set."""
    titles: list[str] = []
    sentences: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            titles.append(record["title"])
            sentences += [s for s in _SENTENCE.split(record["text"].replace("\n", " ")) if s]
    return titles, sentences


def _dump(count: int, titles: list[str], sentences: list[str]) -> Iterator[str]:
    """An export stream of `count` synthetic articles (see the module docstring)."""
    rng = random.Random(7)
    now = time.time()
    yield json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "backend": "synthetic"})
    for number in range(1, count + 1):
        body = " ".join(rng.sample(sentences, rng.randint(6, 14)))
        text = f"{body}\nReport {number}."
        when = now - rng.uniform(0, 365 * 86_400)
        moment = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(when))
        row = {
            "id": number, "when_ts": when, "content_hash": content_hash(text),
            "url": f"https://news.example/{number}", "source": f"Wire {number % 12}",
            "language": "en", "published": moment, "fetched": moment,
            "title": rng.choice(titles), "text": text,
        }  # fmt: skip
        yield json.dumps({"table": "articles", "row": row})


def _queries(titles: list[str]) -> list[str]:
    """The fixed topics plus 72 word pairs from random headlines."""
    rng = random.Random(11)
    pairs = []
    for title in rng.sample(titles, 72):
        words = [w for w in re.findall(r"[A-Za-z]{4,}", title)]
        if len(words) >= 2:
            start = rng.randrange(len(words) - 1)
            pairs.append(" ".join(words[start : start + 2]))
    return [*QUERIES, *pairs]


async def _measure(store: SqlStore, queries: list[str]) -> list[float]:
    """Latency of every query, in ms, three rounds after one warm-up round."""
    for query in queries:
        await store.search(query, limit=10)
    timings = []
    for _ in range(3):
        for query in queries:
            started = time.perf_counter()
            await store.search(query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _report(name: str, count: int, load_s: float, size: int, timings: list[float]) -> bool:
    """Print one backend's figures; whether it met its target."""
    ordered = sorted(timings)
    median = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    ok = median < TARGETS_MS[name]
    print(
        f"{name:10} load {load_s:6.1f} s  size {size / 2**20:7.1f} MiB  queries {len(timings)}  "
        f"median {median:6.2f} ms  p99 {p99:7.2f} ms  max {ordered[-1]:7.2f} ms  "
        f"target median < {TARGETS_MS[name]:.0f} ms: {'met' if ok else 'MISSED'}"
    )
    plot_point("search", f"{BACKENDS[name]}, median", count, median)
    plot_point("search", f"{BACKENDS[name]}, p99", count, p99)
    table_row(
        f"topic search, {count:,} articles, {BACKENDS[name]}: median / p99 (bulk load)",
        f"{median:.1f} / {p99:.1f} ms ({load_s:.0f} s)",
        f"median < {TARGETS_MS[name]:.0f} ms",
        ok,
    )
    return ok


async def _sqlite(count: int, corpus: tuple[list[str], list[str]], queries: list[str]) -> bool:
    """Load, measure and report SQLite."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = SqlStore(f"sqlite:///{path}")
        await store.open()
        try:
            started = time.perf_counter()
            await import_dump(store, _dump(count, *corpus))
            load = time.perf_counter() - started
            timings = await _measure(store, queries)
        finally:
            await store.close()
        size = sum(p.stat().st_size for p in Path(folder).iterdir())  # noqa: ASYNC240
    return _report("sqlite", count, load, size, timings)


async def _postgres(
    url: str, count: int, corpus: tuple[list[str], list[str]], queries: list[str]
) -> bool:
    """Load, measure and report PostgreSQL (in a scratch schema, dropped afterwards)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    separator = "&" if "?" in url else "?"
    store = SqlStore(f"{url}{separator}options=-c%20search_path%3D{SCHEMA}")
    try:
        await store.migrate()
        await store.open()
        started = time.perf_counter()
        await import_dump(store, _dump(count, *corpus))
        load = time.perf_counter() - started
        timings = await _measure(store, queries)
        query = """
            SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'm')
        """
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(query, (SCHEMA,)).fetchone()
        size = int(row[0]) if row and row[0] else 0
    finally:
        await store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    return _report("postgresql", count, load, size, timings)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for both backends; 0 when both targets were met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args(argv)
    path = eval_file("bbc_news.jsonl")
    if path is None:
        return 0
    corpus = _corpus(path)
    queries = _queries(corpus[0])
    print(f"{args.articles} synthetic articles from {len(corpus[1])} BBC sentences; "
          f"{len(queries)} queries x 3 rounds")  # fmt: skip
    ok = True
    if args.only in (None, "sqlite"):
        ok &= asyncio.run(_sqlite(args.articles, corpus, queries))
    if args.only in (None, "postgresql"):
        ok &= asyncio.run(_postgres(args.pg_url, args.articles, corpus, queries))
    return exit_code(ok)


if __name__ == "__main__":
    sys.exit(main())
