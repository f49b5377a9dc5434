"""Peak memory of the bot process with 100,000 stored articles, under load.

    python benchmarks/memory.py [--articles 100000] [--users 50] [--commands 20]

Bulk-loads `--articles` synthetic articles into a fresh SQLite store (search_scale.py's
generator: sentences of ../shared/eval/bbc_news.jsonl, read at run time), then starts the
real bot in a subprocess, `python -m bot run`, polling the fake Bot API on 127.0.0.1
(TELEGRAM_API_URL; DEFAULT_FEEDS=false and LOAD_SAMPLE=false, so nothing else is contacted).
`--users` users each send `--commands` `/summary <topic>` commands over about a hundred
distinct topics (filling the answer and article caches), then every user asks for /latest
and /topics. Prints the bot's peak RSS (VmHWM of /proc/<pid>/status) after the load, and its
RSS at start-up; and the RSS of its child processes (the topic summary process, on by
default on 2+ cores, and multiprocessing's resource tracker) at both moments, which the
target does not count. Target (issue 7): peak RSS under 300 MB. The floor (issue 19): the
RSS of the bare PTB bot (`bare_bot.py`) after answering /start, measured first; the bot's
after start-up should be at most 2.5x of it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    children_mb,
    eval_file,
    exit_code,
    memory_mb,
    start_bare_bot,
    start_bot_process,
    stop_bot_process,
    table_row,
)
from search_scale import QUERIES, _corpus, _dump, _queries

from bot.store.sqlstore import SqlStore
from bot.store.transfer import import_dump
from tests.fakes import FakeBotApi

TARGET_MB = 300.0


async def _fill(path: Path, count: int, corpus: tuple[list[str], list[str]]) -> None:
    """Bulk-load `count` synthetic articles."""
    store = SqlStore(f"sqlite:///{path}")
    await store.open()
    try:
        await import_dump(store, _dump(count, *corpus))
    finally:
        await store.close()


async def _user(api: FakeBotApi, chat: int, topics: list[str], commands: int) -> int:
    """One user's commands, each after the previous reply; returns replies that never came."""
    lost = 0
    texts = [f"/summary {topics[(chat * 7 + n) % len(topics)]}" for n in range(commands)]
    for n, text in enumerate([*texts, "/latest 30", "/topics"], start=1):
        await api.send_text(text, chat_id=chat, user_id=chat)
        try:
            await api.replies(chat, n, within=60)
        except TimeoutError:
            lost += 1
    return lost


async def _bare_rss() -> float:
    """RSS of the bare PTB bot after it answered /start, in MB."""
    api = FakeBotApi()
    await api.start()
    bare = start_bare_bot(api.url)
    try:
        await api.send_text("/start", chat_id=1, user_id=1)
        await api.replies(1, 1, within=60)
        return memory_mb(bare.pid, "VmRSS")
    finally:
        await stop_bot_process(bare)
        await api.stop()


async def _run(args: argparse.Namespace, corpus: tuple[list[str], list[str]]) -> bool:
    """Fill, start the bot, load it, report; whether the target was met."""
    topics = [*QUERIES, *_queries(corpus[0])]
    bare = await _bare_rss()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "memory.db"
        started = time.perf_counter()
        await _fill(database, args.articles, corpus)
        print(f"store: {args.articles} articles, loaded in {time.perf_counter() - started:.1f} s")
        api = FakeBotApi()
        await api.start()
        bot = start_bot_process(
            api.url,
            f"sqlite:///{database}",
            USER_BURST=str(args.commands + 5),
            FLEET_RATE="1000",
            CHAT_RATE="1000",
        )
        try:
            await api.send_text("/start", chat_id=1, user_id=1)
            await api.replies(1, 1, within=60)
            idle, idle_children = memory_mb(bot.pid, "VmRSS"), children_mb(bot.pid)
            begin = time.perf_counter()
            chats = range(20_001, 20_001 + args.users)
            jobs = (_user(api, chat, topics, args.commands) for chat in chats)
            lost = sum(await asyncio.gather(*jobs))
            elapsed = time.perf_counter() - begin
            peak, now = memory_mb(bot.pid, "VmHWM"), memory_mb(bot.pid, "VmRSS")
            children = children_mb(bot.pid)
        finally:
            await stop_bot_process(bot)
            await api.stop()
    sent = args.users * (args.commands + 2)
    print(f"load: {args.users} users, {sent} commands ({len(topics)} topics) in {elapsed:.1f} s; "
          f"replies lost: {lost}")  # fmt: skip
    print(f"bot RSS after start-up: {idle:.0f} MB; after the load: {now:.0f} MB")
    print(f"bare PTB bot after /start: {bare:.0f} MB; the bot after start-up is "
          f"{idle / bare:.1f}x of it (issue 19: <= 2.5x)")  # fmt: skip
    print(f"its child processes (summary worker, resource tracker): {idle_children:.0f} MB "
          f"after start-up, {children:.0f} MB after the load")  # fmt: skip
    ok = peak < TARGET_MB and lost == 0
    print(f"peak RSS (VmHWM): {peak:.0f} MB (target < {TARGET_MB:.0f} MB): "
          f"{'met' if ok else 'MISSED'}")  # fmt: skip
    table_row(
        f"peak RSS of `python -m bot run`, {args.articles:,} articles, {sent:,} commands "
        f"on {len(topics)} topics",
        f"{peak:.0f} MB ({idle:.0f} MB after start-up; child processes {children:.0f} MB more),"
        f" {lost} replies lost",
        f"< {TARGET_MB:.0f} MB",
        ok,
    )
    table_row(
        "RSS after start-up: `python -m bot run` vs a bare PTB bot (`bare_bot.py`)",
        f"{idle:.0f} vs {bare:.0f} MB = {idle / bare:.1f}x",
        "≤ 2.5x",
        idle / bare <= 2.5,
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target was met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--commands", type=int, default=20)
    args = parser.parse_args(argv)
    path = eval_file("bbc_news.jsonl")
    if path is None:
        return 0
    return exit_code(asyncio.run(_run(args, _corpus(path))))


if __name__ == "__main__":
    sys.exit(main())
