"""End to end under load: simulated users send /summary to the real bot over loopback.

Run: python benchmarks/e2e_load.py [--users 50] [--commands 20] [--articles 10000]

Fills a fresh SQLite store with `--articles` articles (BBC News texts from ../shared/eval,
read at run time; beyond the 2,225 originals each article mixes paragraphs of two stories of
one category, so every article is distinct; split into sentences once, as ingestion does),
starts the real bot, `python -m bot run`, polling the fake Bot API on 127.0.0.1
(DEFAULT_FEEDS=false, LOAD_SAMPLE=false), and lets `--users` users each send `--commands`
`/summary <topic>` commands one after another, all users at once.
Prints commands/s, p50/p99 reply latency and lost replies. Targets (issue 7, 2 cores): at
least 100 commands/s, p99 under 500 ms, no reply lost.

`--no-cache` runs the bot with TOPIC_CACHE=0 (every command searches and summarizes).
`--new-topics` makes every command a topic nobody asked before (one of 1,000+ distinct words
of the BBC headlines), so no cache of any kind can answer it.
`--summary-workers N` runs the bot with SUMMARY_WORKERS=N (summaries in N processes; by
default the bot's own default, one process on 2+ cores).
`--baseline` first runs the same load against the floor, a bare python-telegram-bot bot with
a fixed answer (`bare_bot.py`), and prints newsbot's throughput and CPU per command as
ratios of it (issue 19: new topics >= 0.3x, repeated topics >= 0.67x). CPU per command is
the bot process's user + system time over the run (Linux /proc).
`--fleet-rate` is the bot's outgoing rate limit (FLEET_RATE, 1000 here): at the bot's default
of 30 messages/s (Telegram's broadcast limit) replies cannot pass 30/s, however fast the bot.
1000 is the most the bot accepts (Telegram's paid broadcasts): with the answer cache on, the
bot reaches it, and the report says so (the CPU per command is then the measure).
`--store FILE` keeps the filled store for the next run (filling 10,000 takes most of a minute);
`--store postgresql://...` runs on that database instead (filled unless it holds enough).
`--in-process` runs the bot inside this process, as the tests do: it then shares one core
(the GIL) with the fake Bot API and the simulated users.
`--feeds N` serves N local RSS feeds of 20 new whole-text entries each (as
`feed_speed.py` builds them) and lets the bot's feed job poll them every second while the
users send: the latencies while the bot ingests N × 20 articles.
`--rate R` paces the users instead (an open loop): together they send R commands/s, each user
one every `users / R` seconds whether or not its last reply came, the first at a random moment
of that first interval. By default each user sends its next command the moment a reply comes
(a closed loop), so the bot runs flat out and the latencies are those of a saturated bot; with
`--rate 100` they are the latencies at the target throughput.
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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    child_pids,
    cpu_of,
    eval_file,
    exit_code,
    plot_point,
    start_bare_bot,
    start_bot_process,
    stop_bot_process,
    table_row,
)
from feed_speed import FeedServer, feed_xml, read_articles, serve

from bot.config import load_settings
from bot.ingest.records import with_sentences
from bot.models import Article, Feed
from bot.store import open_store
from tests.conftest import start_bot, stop_bot
from tests.fakes import TOKEN, FakeBotApi

FLEET_RATE_HELP = (
    "the bot's outgoing message rate limit (FLEET_RATE); its default, Telegram's 30 messages/s,"
    " caps replies at 30/s whatever the bot's speed, so the bot itself is measured at 1000"
)
CAPPED = 0.9  # throughput at this share of FLEET_RATE or more: the limiter, not the bot, binds
FIRST_CHAT = 10_001
IN_PROCESS_HELP = (
    "run the bot in this process (as the tests do), sharing its CPU with the fake Bot API and"
    " the 50 clients, instead of as `python -m bot run`"
)
STORE_HELP = (
    "keep the filled SQLite store in this file and reuse it on the next run; or a database URL "
    "(postgresql://...) to fill or reuse"
)
RATE_HELP = "commands per second from all users together, sent on schedule (an open loop)"
FEEDS_HELP = "local feeds (20 new entries each) the bot's feed job ingests during the load"
NEW_TOPICS_SEED = 19
TOPICS = ["election", "football", "oil prices", "mobile phones", "film awards", "tax",
          "music", "broadband", "bank", "olympics", "china", "economy", "games", "virus",
          "government", "tennis", "stock market", "internet", "budget", "chelsea"]  # fmt: skip


def _articles(count: int) -> list[Article]:
    """`count` distinct articles: the BBC texts, then mixes of two stories of one category."""
    path = eval_file("bbc_news.jsonl")
    if path is None:
        return []
    base = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_category: dict[str, list[dict[str, str]]] = {}
    for record in base:
        by_category.setdefault(record.get("category", "news"), []).append(record)
    rng = random.Random(7)
    articles: list[Article] = []
    hashes: set[str] = set()
    n = 0
    while len(articles) < count:
        record = base[n % len(base)]
        paragraphs = [p for p in record["text"].splitlines() if p.strip()]
        if n >= len(base):  # a variant: this story with paragraphs of another of its category
            other = rng.choice(by_category[record.get("category", "news")])
            extra = [p for p in other["text"].splitlines() if p.strip()]
            paragraphs += rng.sample(extra, k=min(len(extra), rng.randint(1, 3)))
            rng.shuffle(paragraphs)
        article = Article(
            title=f"{record['title']} ({n})", text="\n".join(paragraphs),
            source=f"BBC {record.get('category', 'news')}", url=f"https://bbc.example/{n}",
        )  # fmt: skip
        n += 1
        if article.content_hash not in hashes:
            hashes.add(article.content_hash)
            articles.append(article)
    return articles


@dataclass
class LoadApi(FakeBotApi):
    """The fake Bot API waking only the user a reply is for.

    `FakeBotApi.wait_for` wakes every waiting user on every call the bot makes and rescans
    every sent message: quadratic work in this process, which shares the two cores with the
    bot. Here each sent message counts for its chat and wakes that chat's user alone.
    """

    counts: dict[int, int] = field(default_factory=dict)
    arrivals: dict[int, list[float]] = field(default_factory=dict)  # perf_counter of each
    _arrived: dict[int, asyncio.Event] = field(default_factory=dict)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._send_message(params)
        chat = message["chat"]["id"]
        self.counts[chat] = self.counts.get(chat, 0) + 1
        self.arrivals.setdefault(chat, []).append(time.perf_counter())
        self._arrived.setdefault(chat, asyncio.Event()).set()
        return message

    async def wait_replies(self, chat: int, count: int, within: float) -> None:
        """Wait until the bot sent `count` messages to `chat`."""
        arrived = self._arrived.setdefault(chat, asyncio.Event())
        async with asyncio.timeout(within):
            while self.counts.get(chat, 0) < count:
                arrived.clear()
                await arrived.wait()


def by_round(firsts: list[float], latencies: list[float]) -> tuple[float, float]:
    """The slowest first command of a user, and the p99 of the other commands, in ms."""
    later = sorted(latencies)
    for latency in firsts:
        later.remove(latency)
    later = later or [0.0]
    return max(firsts, default=0.0) * 1000, later[
        min(len(later) - 1, int(len(later) * 0.99))
    ] * 1000


async def _fill(url: str, count: int) -> int:
    """Store `count` distinct articles (unless it holds them already); how many it holds."""
    store = open_store(url)
    await store.open()
    if await store.count_articles() < count:
        for article in _articles(count):
            await store.add_article(with_sentences(article))  # as ingestion stores them
    total = await store.count_articles()
    await store.close()
    return total


@asynccontextmanager
async def _feeds_to_ingest(url: str, count: int) -> AsyncIterator[dict[str, str]]:
    """`count` local feeds in the store, due now; the bot's settings to poll them each second."""
    if count <= 0:
        yield {}
        return
    records = read_articles()
    server = FeedServer({f"f{n}": feed_xml(records, n, 20) for n in range(count)})
    runner, base = await serve(server)
    store = open_store(url)
    await store.open()
    for name in server.bodies:
        await store.add_feed(Feed(f"{base}/feeds/{name}"))
    await store.close()
    try:
        yield {"feed_tick_seconds": "1", "allow_private_urls": "127.0.0.0/8"}
    finally:
        print(f"feeds: {sum(server.answered.values())} of {count} polled during the run")
        await runner.cleanup()


def new_topics() -> list[str]:
    """Distinct one-word topics, shuffled: the BBC headlines' words of 5 letters or more."""
    path = eval_file("bbc_news.jsonl")
    titles = [json.loads(line)["title"] for line in path.open(encoding="utf-8")] if path else []
    words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)})
    random.Random(NEW_TOPICS_SEED).shuffle(words)
    return words


def topic_for(chat: int, n: int, commands: int, fresh: list[str] | None) -> str:
    """The n-th topic of a user: from TOPICS (repeating), or one of `fresh` nobody else asks."""
    if fresh is None:
        return TOPICS[(chat + n) % len(TOPICS)]
    return fresh[((chat - FIRST_CHAT) * commands + n) % len(fresh)]


async def _user(
    api: LoadApi,
    chat: int,
    commands: int,
    timings: tuple[list[float], list[float]],
    fresh: list[str] | None,
) -> int:
    """One user: a command, wait for its reply, the next. Returns replies that never came."""
    latencies, firsts = timings
    lost = 0
    for n in range(commands):
        topic = topic_for(chat, n, commands, fresh)
        sent = time.perf_counter()
        await api.send_text(f"/summary {topic}", chat_id=chat, user_id=chat)
        try:
            await api.wait_replies(chat, n + 1, within=30)
        except TimeoutError:
            lost += 1
            continue
        latencies.append(time.perf_counter() - sent)
        if n == 0:
            firsts.append(latencies[-1])
    return lost


async def _paced_user(
    api: LoadApi,
    chat: int,
    schedule: tuple[float, float],
    commands: int,
    timings: tuple[list[float], list[float]],
    fresh: list[str] | None,
) -> int:
    """One user sending on a schedule (`start`, `interval`); returns replies that never came.

    The n-th reply to the chat is matched with the n-th command.
    """
    start, interval = schedule
    latencies, firsts = timings
    sends: list[float] = []
    for n in range(commands):
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
        sends.append(time.perf_counter())
        topic = topic_for(chat, n, commands, fresh)
        await api.send_text(f"/summary {topic}", chat_id=chat, user_id=chat)
    with suppress(TimeoutError):  # counted below: the replies that did not come
        await api.wait_replies(chat, commands, within=30)
    arrived = api.arrivals.get(chat, [])
    for n, (sent, came) in enumerate(zip(sends, arrived, strict=False)):
        latencies.append(came - sent)
        if n == 0:
            firsts.append(came - sent)
    return commands - min(len(arrived), commands)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a process and its live children (summary workers) have used
    so far (0 when unknown)."""
    if pid is None:
        return 0.0
    return cpu_of(pid) + sum(cpu_of(child) for child in child_pids(pid))


@asynccontextmanager
async def _running_bot(
    api: LoadApi, url: str, settings: dict[str, str], in_process: bool, bare: bool = False
) -> AsyncIterator[int | None]:
    """The bot polling `api`: `python -m bot run` (its pid), in this process (None), or with
    `bare` the bare PTB bot of `bare_bot.py` (its pid)."""
    if in_process and not bare:
        app = await start_bot(load_settings(None, telegram_bot_token=TOKEN,
            telegram_api_url=api.url, database_url=url, load_sample=False, default_feeds=False,
            digest_tick_seconds=0, **settings))  # fmt: skip
        try:
            yield None
        finally:
            await stop_bot(app)
        return
    if bare:
        bot = start_bare_bot(api.url)
    else:
        settings = {key.upper(): value for key, value in settings.items()}
        bot = start_bot_process(api.url, url, **settings)
    try:
        await api.send_text("/start", chat_id=1, user_id=1)  # answered once it polls
        await api.wait_replies(1, 1, within=60)
        yield bot.pid
    finally:
        await stop_bot_process(bot)


@dataclass
class Run:
    """What one load measured."""

    elapsed: float
    latencies: list[float]
    firsts: list[float]  # each user's first command: every cache still cold
    lost: int
    rejected: int
    cpu: float  # CPU seconds the bot process used during the load (0: unknown)


async def _load(args: argparse.Namespace, url: str, bare: bool) -> Run:
    """Run the users against the bot (or the bare bot) once."""
    api = LoadApi()
    await api.start()
    settings = {
        "log_level": "WARNING",
        "user_burst": str(args.commands + 1),
        "fleet_rate": str(args.fleet_rate),
        "chat_rate": str(args.chat_rate),
        "topic_cache": "512" if args.cache else "0",
    }
    if args.summary_workers is not None:  # else the bot's default (1 on 2+ cores)
        settings["summary_workers"] = str(args.summary_workers)
    fresh = new_topics() if args.new_topics else None
    latencies: list[float] = []
    firsts: list[float] = []
    try:
        async with (
            _feeds_to_ingest(url, 0 if bare else args.feeds) as feed_settings,
            _running_bot(api, url, {**settings, **feed_settings}, args.in_process, bare) as pid,
        ):
            cpu = cpu_seconds(pid)
            begin = time.perf_counter()
            chats = range(FIRST_CHAT, FIRST_CHAT + args.users)
            if args.rate:
                interval, rng = args.users / args.rate, random.Random(11)
                schedules = [(begin + rng.uniform(0, interval), interval) for _ in chats]
                jobs = (_paced_user(api, chat, plan, args.commands, (latencies, firsts), fresh)
                    for chat, plan in zip(chats, schedules, strict=True))  # fmt: skip
            else:
                jobs = (
                    _user(api, chat, args.commands, (latencies, firsts), fresh) for chat in chats
                )
            lost = sum(await asyncio.gather(*jobs))
            elapsed = time.perf_counter() - begin
            cpu = cpu_seconds(pid) - cpu
    finally:
        await api.stop()
    return Run(elapsed, latencies, firsts, lost, len(api.rejected), cpu)


async def main(args: argparse.Namespace) -> int:
    """Run the load and print the figures; 0 when every target was met."""
    if args.new_topics and not new_topics():
        return 0  # skipped: eval_file said why (no BBC headlines to draw topics from)
    with tempfile.TemporaryDirectory() as folder:
        given = str(args.store or "")
        url = given if "://" in given else f"sqlite:///{args.store or Path(folder) / 'load.db'}"
        started = time.perf_counter()
        stored = await _fill(url, args.articles)
        if stored == 0:
            return 0
        print(f"store: {stored} articles, filled in {time.perf_counter() - started:.1f} s")
        floor = await _load(args, url, bare=True) if args.baseline else None
        run = await _load(args, url, bare=False)
    return _report(args, run, floor)


def _per_command_ms(run: Run, commands: int) -> str:
    """CPU per command, in ms, or "unknown"."""
    return f"{run.cpu / commands * 1000:.2f} ms" if run.cpu else "unknown"


def _versus(args: argparse.Namespace, run: Run, floor: Run) -> bool:
    """Print newsbot against the bare bot; whether the issue's ratio is met."""
    commands: int = args.users * args.commands
    rate, bare_rate = commands / run.elapsed, commands / floor.elapsed
    wanted: float = 0.3 if args.new_topics or not args.cache else 0.67
    ratio = rate / bare_rate
    cpu = run.cpu / floor.cpu if run.cpu and floor.cpu else 0.0
    print(f"bare PTB bot (fixed answer): {bare_rate:.1f} commands/s, CPU per command "
          f"{_per_command_ms(floor, commands)}")  # fmt: skip
    print(f"newsbot / bare bot: throughput {ratio:.2f}x (target >= {wanted}x), "
          f"CPU per command {cpu:.1f}x")  # fmt: skip
    capped = rate >= CAPPED * args.fleet_rate
    if capped:
        print(f"  at the bot's own cap: FLEET_RATE={args.fleet_rate:g} messages/s (at most 1000, "
              "Telegram's paid broadcasts) paces the replies; the bare bot has no limiter, so "
              "here the CPU per command is the bot's measure, not the throughput")  # fmt: skip
    what = "new topics" if args.new_topics else "repeated topics"
    if not args.cache:
        what += ", no answer cache"
    table_row(
        f"`/summary`, {what}, {args.users} users × {args.commands}, {args.articles:,} articles: "
        "throughput / CPU per command vs a bare PTB bot (fixed answer)",
        f"{rate:.0f} vs {bare_rate:.0f} commands/s = {ratio:.2f}x; "
        f"{_per_command_ms(run, commands)} vs {_per_command_ms(floor, commands)} = {cpu:.1f}x"
        + (f" (replies paced at FLEET_RATE={args.fleet_rate:g}/s)" if capped else ""),
        f"≥ {wanted}x",
        ratio >= wanted,
    )
    return ratio >= wanted


def _report(args: argparse.Namespace, run: Run, floor: Run | None) -> int:
    """Print the figures; 0 when every target was met."""
    elapsed, latencies, firsts, lost, rejected = (
        run.elapsed,
        run.latencies,
        run.firsts,
        run.lost,
        run.rejected,
    )
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    commands = args.users * args.commands
    rate = commands / elapsed
    workers = "default" if args.summary_workers is None else args.summary_workers
    print(f"bot: {'in this process' if args.in_process else 'python -m bot run'}; answer cache: "
          f"{'on' if args.cache else 'off (every command summarizes)'}; "
          f"FLEET_RATE={args.fleet_rate:g} messages/s; "
          f"SUMMARY_WORKERS={workers}")  # fmt: skip
    print(f"users: {args.users}, commands: {commands}, wall time: {elapsed:.1f} s")
    if args.rate:
        print(f"offered: {args.rate:g} commands/s (open loop: each user sends one every "
              f"{args.users / args.rate:g} s)")  # fmt: skip
    # Paced, the bot cannot answer more than it is sent: it keeps up, or it does not.
    wanted = f"offered {args.rate:g}" if args.rate else "target >= 100"
    print(f"throughput: {rate:.1f} commands/s ({wanted})")
    print(f"latency p50: {p50:.0f} ms, p99: {p99:.0f} ms (target < 500)")
    first, later = by_round(firsts, latencies)
    how = f"within the first {args.users / args.rate:g} s" if args.rate else "all at once"
    print(f"  each user's first command (cold caches, {how}): max {first:.0f} ms; "
          f"the later ones: p99 {later:.0f} ms")  # fmt: skip
    print(f"replies lost: {lost}; rejected by the Bot API: {rejected}")
    print(f"CPU per command (bot process): {_per_command_ms(run, commands)}")
    kept_up = rate >= 0.98 * args.rate if args.rate else rate >= 100
    ok = kept_up and p99 < 500 and lost == 0 and rejected == 0
    if floor is not None:
        ok &= _versus(args, run, floor)
        return exit_code(ok)
    _table_rows(args, (rate, p50, p99), (first, later), lost + rejected, ok)
    return exit_code(ok)


def _table_rows(
    args: argparse.Namespace,
    figures: tuple[float, float, float],
    rounds: tuple[float, float],
    lost: int,
    ok: bool,
) -> None:
    """The README's rows: the whole story for the default run, one line for a variant."""
    rate, p50, p99 = figures
    commands = args.users * args.commands
    what = (
        f"`/summary <topic>`, {args.users} users × {args.commands} commands, "
        f"{args.articles:,} articles"
    )
    variants = [
        f"paced to {args.rate:g} commands/s (open loop)" if args.rate else "",
        "" if args.cache else "without the answer cache",
        f"FLEET_RATE={args.fleet_rate:g} (Telegram's limit paces every reply)"
        if args.fleet_rate != 1000
        else "",
        "bot inside the benchmark's process" if args.in_process else "",
        f"while the feed job ingests {args.feeds} new feeds ({args.feeds * 20:,} entries)"
        if args.feeds
        else "",
    ]
    variant = ", ".join(v for v in variants if v)
    latency = f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    if not variant or variant == variants[0]:  # the plain bot, closed or open loop
        load = "open loop" if args.rate else "closed loop (flat out)"
        plot_point("latency", f"p50, {load}", rate, p50)
        plot_point("latency", f"p99, {load}", rate, p99)
    if variant:  # under the default run's rows, when it differs from it only in `variant`
        usual = (args.users, args.commands, args.articles) == (50, 20, 10_000)
        target = "p99 < 500 ms, none lost" if args.rate and not args.feeds else "—"
        met = ok if args.rate and not args.feeds else None
        table_row(
            f"… {variant}" if usual else f"{what}, {variant}",
            f"{rate:.0f} commands/s, {latency}, {lost} lost",
            target,
            met,
        )
        return
    table_row(f"{what}: throughput", f"{rate:.0f} commands/s", "≥ 100", rate >= 100)
    table_row("… reply latency", latency, "p99 < 500 ms", p99 < 500)
    first, later = rounds
    table_row(
        "… each user's first command (cold caches, all at once) / the later ones",
        f"max {first:.0f} ms / p99 {later:.0f} ms",
    )
    table_row("… replies lost or rejected", f"{lost} of {commands:,}", "0", lost == 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--no-cache", dest="cache", action="store_false", help="TOPIC_CACHE=0")
    parser.add_argument("--fleet-rate", type=float, default=1000.0, help=FLEET_RATE_HELP)
    parser.add_argument(
        "--chat-rate",
        type=float,
        default=1000.0,
        help="messages/s to one chat (CHAT_RATE; the bot's default is Telegram's 1): a closed "
        "loop of one user's commands would otherwise measure that pacing, not the bot",
    )
    parser.add_argument("--in-process", action="store_true", help=IN_PROCESS_HELP)
    parser.add_argument("--store", help=STORE_HELP)
    parser.add_argument("--rate", type=float, default=0.0, help=RATE_HELP)
    parser.add_argument("--feeds", type=int, default=0, help=FEEDS_HELP)
    parser.add_argument("--new-topics", action="store_true", help="every command a new topic")
    parser.add_argument("--baseline", action="store_true", help="also run the bare PTB bot")
    parser.add_argument(
        "--summary-workers", type=int, default=None, help="SUMMARY_WORKERS (default: the bot's)"
    )
    parsed = parser.parse_args()
    if parsed.baseline and (parsed.in_process or parsed.feeds or parsed.rate):
        parser.error("--baseline compares closed-loop runs of separate processes only")
    if parsed.feeds and parsed.store:
        parser.error("--feeds needs a fresh store: its feeds' port changes from run to run")
    sys.exit(asyncio.run(main(parsed)))
