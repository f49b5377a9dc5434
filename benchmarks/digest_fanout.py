"""Digest fan-out under Telegram's flood limits: 1,000 subscribers, nothing lost or repeated.

Run: python benchmarks/digest_fanout.py [--chats 1000] [--timeout 240]

Loads the bundled Wikinews sample into a fresh SQLite store, subscribes `--chats` chats to
one or two topics each with their digest due now, and starts the real bot (PTB Application,
AIORateLimiter, JobQueue digest tick, default DIGEST_* settings) against the fake Bot API
on 127.0.0.1, in its own process, which enforces Telegram's limits: at most 30 messages in
any one-second window overall and one message a second per chat, answering 429 with
`retry_after` otherwise. Before sending, each chat's digest is composed once to know which
stories it must receive. Prints messages, seconds, msg/s (first
to last accepted message), lost and repeated stories and 429s seen. Targets (issue 5):
every message delivered, zero lost, none repeated, rate within 10% of 30 messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import exit_code, plot_point, table_row

from bot.config import Settings, load_settings
from bot.ingest import load_bundled_sample
from bot.models import Subscription, utcnow
from bot.store import Store, open_store
from bot.summarize import Summarizer
from bot.usecases.digest.compose import TopicCache, compose_digest
from bot.usecases.digest.render import render_digest
from tests.conftest import start_bot, stop_bot
from tests.fake_flood import FloodLimits
from tests.fakes import TOKEN, FakeBotApi

TOPICS = ["election", "earthquake", "china", "police", "president", "court", "war", "space",
          "health", "economy", "vote", "government", "protest", "trial", "oil",
          "россия"]  # fmt: skip
CEILING = 30.0  # Telegram's overall limit, messages per second
_READ = re.compile(r"/read (\d+)")


async def _prepare(settings: Settings, chats: int) -> tuple[dict[int, Counter[int]], int]:
    """Fill the store and subscribe the chats; each chat's expected stories, messages."""
    store: Store = open_store(settings.database_url)
    await store.open()
    try:
        await load_bundled_sample(store)
        due = utcnow()
        for chat_id in range(1, chats + 1):
            await store.subscribe(Subscription(chat_id, TOPICS[chat_id % len(TOPICS)]))
            if chat_id % 3 == 0:
                await store.subscribe(Subscription(chat_id, TOPICS[(chat_id * 7) % len(TOPICS)]))
            await store.schedule_digest(chat_id, due)
        expected: dict[int, Counter[int]] = {}
        messages = 0
        summarizer, cache = Summarizer(), TopicCache()
        for chat_id in range(1, chats + 1):
            digest = await compose_digest(
                store, summarizer, await store.chat_settings(chat_id), cache=cache
            )
            rendered = render_digest(digest)
            messages += len(rendered)
            expected[chat_id] = Counter(int(n) for m in rendered for n in _READ.findall(m.text))
        return expected, messages
    finally:
        await store.close()


@dataclass
class _Seen:
    """What the fake Bot API saw: (chat id, text) of each message, when, and its 429s."""

    sent: list[tuple[int, str]]
    times: list[float]
    too_many: int


async def _serve_until_stopped(conn: Connection) -> None:
    """Run the fake Bot API, enforcing the limits, answering the parent until "stop"."""
    api = FakeBotApi()
    api.flood.enforce(FloodLimits(per_chat_seconds=1.0, per_second=int(CEILING)))
    conn.send(await api.start())
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, conn.recv) == "count":
        conn.send(len(api.sent))
    await api.stop()
    sent = [(m["chat"]["id"], m["text"]) for m in api.sent]
    conn.send(_Seen(sent, api.flood.sent_times, api.flood.too_many))


def _serve(conn: Connection) -> None:
    """The server process's entry point."""
    asyncio.run(_serve_until_stopped(conn))


class _ServerProcess:
    """The fake Bot API in its own process (on 127.0.0.1), as Telegram is not in ours.

    Sharing the bot's process would stamp requests with the time its loop, or the GIL, got
    round to them, bunching arrivals whenever the bot is busy.
    """

    def __init__(self) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    def count(self) -> int:
        """How many messages the server has accepted so far."""
        self.conn.send("count")
        return int(self.conn.recv())

    def finish(self) -> _Seen:
        """Stop the server; what it saw."""
        self.conn.send("stop")
        seen: _Seen = self.conn.recv()
        self.process.join(timeout=10)
        return seen


async def _wait_until_sent(server: _ServerProcess, messages: int, within: float) -> None:
    """Poll the server process until `messages` were accepted or time is up."""
    deadline = time.perf_counter() + within
    while await asyncio.to_thread(server.count) < messages:
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.5)


async def _run(chats: int, within: float) -> bool:
    """Fan the digests out and print the figures; whether every target was met."""
    server = _ServerProcess()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            None,
            telegram_bot_token=TOKEN,
            telegram_api_url=server.url,
            database_url=f"sqlite:///{folder}/fanout.db",
            load_sample=False,
            feed_tick_seconds=0,
            digest_tick_seconds=1,
        )
        started = time.perf_counter()
        expected, messages = await _prepare(settings, chats)
        stories = sum(map(len, expected.values()))
        print(
            f"prepared {chats} subscribers in {time.perf_counter() - started:.1f} s: "
            f"{messages} messages, {stories} stories to deliver"
        )
        app = await start_bot(settings)
        try:
            await _wait_until_sent(server, messages, within)
            await asyncio.sleep(2.0)  # anything sent twice would arrive now
        finally:
            await stop_bot(app)
    return _report(server.finish(), expected, messages)


def _report(seen: _Seen, expected: dict[int, Counter[int]], messages: int) -> bool:
    """Print the figures; whether every target was met."""
    received: dict[int, Counter[int]] = {}
    for chat_id, text in seen.sent:
        received.setdefault(chat_id, Counter()).update(int(n) for n in _READ.findall(text))
    nothing: Counter[int] = Counter()
    lost = sum(
        1
        for chat, stories in expected.items()
        for s in stories
        if s not in received.get(chat, nothing)
    )
    repeated = sum(n - 1 for stories in received.values() for n in stories.values() if n > 1)
    extra = sum(
        1
        for chat, stories in received.items()
        for s in stories
        if s not in expected.get(chat, nothing)
    )
    times = seen.times
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / seconds if seconds else 0.0
    print(f"messages: {len(seen.sent)} delivered of {messages} expected")
    print(f"seconds:  {seconds:.1f} (first to last accepted message)")
    print(f"msg/s:    {rate:.2f} ({rate / CEILING:.0%} of the {CEILING:.0f} msg/s ceiling)")
    print(f"lost:     {lost} stories")
    print(f"repeated: {repeated} stories ({extra} unexpected)")
    print(f"429s:     {seen.too_many}")
    ok = len(seen.sent) == messages and lost == 0 and repeated == 0 and extra == 0
    ok = ok and abs(rate - CEILING) <= 0.1 * CEILING
    print("targets:  " + ("met" if ok else "NOT met"))
    for second in range(int(seconds) + 1):  # messages accepted by the end of each second
        plot_point("fanout", "digest messages", second, sum(t - times[0] <= second for t in times))
    table_row(
        f"digest fan-out to {len(expected):,} subscribers ({messages:,} messages, "
        "Telegram's limits enforced)",
        f"{rate:.1f} messages/s ({rate / CEILING:.0%} of "
        f"{CEILING:.0f}), {lost} lost, {repeated} repeated, {seen.too_many} 429s",
        "within 10% of 30/s, none lost or repeated",
        ok,
    )
    return ok


def main() -> int:
    """Parse the arguments, run the benchmark, exit 0 when every target was met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=1000, help="subscribers (default 1000)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds to wait at most")
    args = parser.parse_args()
    return exit_code(asyncio.run(_run(args.chats, args.timeout)))


if __name__ == "__main__":
    sys.exit(main())
