"""End to end under load: simulated users send /summary to the real bot over loopback.

Run: python benchmarks/e2e_load.py [--users 50] [--commands 20] [--articles 10000]

Fills a fresh SQLite store with `--articles` articles (BBC News texts from ../shared/eval,
read at run time, with reordered-paragraph variants to reach the count), starts the real
PTB Application polling the fake Bot API on 127.0.0.1, and lets `--users` users each send
`--commands` `/summary <topic>` commands one after another, all users at once. Prints
commands/s, p50/p99 reply latency and lost replies. Targets (issue 7, 2 cores): at least
100 commands/s, p99 under 500 ms, no reply lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import eval_file

from bot.config import load_settings
from bot.models import Article
from bot.store import open_store
from tests.conftest import start_bot, stop_bot
from tests.fakes import TOKEN, FakeBotApi

TOPICS = ["election", "football", "oil prices", "mobile phones", "film awards", "tax",
          "music", "broadband", "bank", "olympics", "china", "economy", "games", "virus",
          "government", "tennis", "stock market", "internet", "budget", "chelsea"]  # fmt: skip


def _articles(count: int) -> list[Article]:
    path = eval_file("bbc_news.jsonl")
    if path is None:
        return []
    base = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(7)
    articles = []
    for n in range(count):
        record = base[n % len(base)]
        paragraphs = [p for p in record["text"].splitlines() if p.strip()]
        if n >= len(base):  # a variant: same story, paragraphs reordered
            rng.shuffle(paragraphs)
        articles.append(Article(
            title=f"{record['title']} ({n})", text="\n".join(paragraphs),
            source=f"BBC {record.get('category', 'news')}", url=f"https://bbc.example/{n}",
        ))  # fmt: skip
    return articles


async def _fill(url: str, count: int) -> int:
    store = open_store(url)
    await store.open()
    for article in _articles(count):
        await store.add_article(article)
    total = await store.count_articles()
    await store.close()
    return total


async def _user(api: FakeBotApi, chat: int, commands: int, latencies: list[float]) -> int:
    """One user: a command, wait for its reply, the next. Returns replies that never came."""
    lost = 0
    for n in range(commands):
        topic = TOPICS[(chat + n) % len(TOPICS)]
        sent = time.perf_counter()
        await api.send_text(f"/summary {topic}", chat_id=chat, user_id=chat)
        try:
            await api.replies_until(chat, lambda texts, k=n: len(texts) > k, within=30)
        except TimeoutError:
            lost += 1
            continue
        latencies.append(time.perf_counter() - sent)
    return lost


async def main(users: int, commands: int, articles: int) -> int:
    """Run the load and print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/load.db"
        started = time.perf_counter()
        stored = await _fill(url, articles)
        if stored == 0:
            return 0
        print(f"store: {stored} articles, filled in {time.perf_counter() - started:.1f} s")
        api = FakeBotApi()
        await api.start()
        settings = load_settings(
            None, telegram_bot_token=TOKEN, telegram_api_url=api.url, database_url=url,
            load_sample=False, log_level="WARNING", user_burst=commands + 1,
        )  # fmt: skip
        app = await start_bot(settings)
        latencies: list[float] = []
        try:
            begin = time.perf_counter()
            chats = range(10_001, 10_001 + users)
            lost = sum(await asyncio.gather(*(_user(api, c, commands, latencies) for c in chats)))
            elapsed = time.perf_counter() - begin
        finally:
            await stop_bot(app)
            await api.stop()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"users: {users}, commands: {users * commands}, wall time: {elapsed:.1f} s")
    print(f"throughput: {users * commands / elapsed:.1f} commands/s (target >= 100)")
    print(f"latency p50: {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99: {p99 * 1000:.0f} ms (target < 500)")  # fmt: skip
    print(f"replies lost: {lost}; rejected by the Bot API: {len(api.rejected)}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.commands, args.articles)))
