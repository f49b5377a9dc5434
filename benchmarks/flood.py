"""Replies under Telegram's flood control: paced, late at worst, never lost or an error.

Run: python benchmarks/flood.py [--users 60] [--commands 5] [--groups 4] [--group-commands 22]

Starts the real bot (`python -m bot run`, default CHAT_RATE=1 and FLEET_RATE=30) against the
fake Bot API on 127.0.0.1, which enforces Telegram's limits strictly: a second message to a
chat within a second, more than 20 in a minute to a group, more than 30 in any one-second
window overall is answered 429 with `retry_after`. Then every user sends `--commands`
/summary commands in one burst from their private chat, and in each group `--group-commands`
members send one /summary each, all at once; halfway, Telegram's own flood wait is simulated
(five 429s in a row, retry_after=2, whatever the rate).

Prints the replies expected and received, replies lost, error answers, 429s the pacing drew
(beyond the injected ones), the most messages seen in any one-second window overall, to a
chat, and in any 60 seconds to a group, and the run time against the least time the limits
allow (the baseline of the same run: per-chat, per-group and overall bounds). Targets
(issue 15): zero lost, zero errors, no limit exceeded.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import exit_code, start_bot_process, stop_bot_process, table_row

from bot.ingest import load_bundled_sample
from bot.store import open_store
from tests.fakes import FakeBotApi

TOPICS = ["election", "earthquake", "china", "police", "president", "court", "war", "space"]
WENT_WRONG = "something went wrong"
PER_SECOND, GROUP_PER_MINUTE = 30, 20


def _most_in_window(times: list[float], window: float) -> int:
    """The most of `times` (sorted) inside any half-open window of `window` seconds."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _fill(url: str) -> None:
    store = open_store(url)
    await store.open()
    try:
        await load_bundled_sample(store)
    finally:
        await store.close()


async def _run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'flood.db'}"
        await _fill(url)
        api = FakeBotApi()
        api.flood.enforce()
        await api.start()
        bot = start_bot_process(api.url, url, USER_BURST=str(args.commands + 5))
        try:
            await api.send_text("/help", chat_id=1, user_id=1)  # the bot is up
            await api.replies(1, 1, within=120)
            sends, expected = _send_all(api, args)
            started = time.monotonic()
            total = sum(expected.values())
            injected = False
            await asyncio.gather(*sends)
            while time.monotonic() - started < args.timeout:
                got = len(api.sent) - 1
                if not injected and got >= total // 2:
                    api.flood.inject(*["429"] * 5, retry_after=2)
                    injected = True
                if got >= total:
                    break
                await asyncio.sleep(0.2)
            elapsed = time.monotonic() - started
            await asyncio.sleep(2)  # anything late or repeated would show now
        finally:
            await stop_bot_process(bot)
            await api.stop()
    return _report(api, args, expected, total, elapsed)


def _send_all(
    api: FakeBotApi, args: argparse.Namespace
) -> tuple[list[Coroutine[Any, Any, None]], dict[int, int]]:
    """The user messages to send (as coroutines) and the replies each chat must get."""
    sends = []
    expected: dict[int, int] = {}
    for user in range(args.users):
        chat = 10_000 + user
        for number in range(args.commands):
            topic = TOPICS[(user + number) % len(TOPICS)]
            sends.append(api.send_text(f"/summary {topic}", chat_id=chat, user_id=chat))
        expected[chat] = args.commands
    for group in range(args.groups):
        chat = -(20_000 + group)
        for member in range(args.group_commands):
            topic = TOPICS[member % len(TOPICS)]
            user = 30_000 + group * 1000 + member
            sends.append(api.send_text(f"/summary {topic}", chat_id=chat, user_id=user))
        expected[chat] = args.group_commands
    return sends, expected


def _report(
    api: FakeBotApi,
    args: argparse.Namespace,
    expected: dict[int, int],
    total: int,
    elapsed: float,
) -> int:
    by_chat: defaultdict[int, list[float]] = defaultdict(list)
    for chat, moment in api.flood.accepted_log:
        by_chat[chat].append(moment)
    received = {chat: len(api.messages(chat)) for chat in expected}
    lost = sum(max(0, wanted - received[chat]) for chat, wanted in expected.items())
    errors = sum(WENT_WRONG in m["text"].lower() for m in api.sent)
    drawn = api.flood.too_many - 5  # beyond the five injected
    overall = _most_in_window(sorted(t for _, t in api.flood.accepted_log), 1.0)
    per_chat = max(_most_in_window(times, 1.0) for times in by_chat.values())
    groups = [times for chat, times in by_chat.items() if chat < 0]
    per_group = max((_most_in_window(times, 60.0) for times in groups), default=0)
    bound = max(
        total / PER_SECOND,
        args.commands - 1.0,  # one chat's replies a second apart
        ((args.group_commands - 1) // GROUP_PER_MINUTE) * 60.0 if args.groups else 0.0,
        10.0,  # the injected flood wait: five 429s of two seconds
    )
    ok = lost == 0 and errors == 0 and overall <= PER_SECOND and per_chat <= 1
    ok = ok and per_group <= GROUP_PER_MINUTE
    print(
        f"replies: {total} expected, {sum(received.values())} received, {lost} lost, "
        f"{errors} error answers\n"
        f"429s: {drawn} drawn by the bot's own sending, 5 injected (retry_after 2 s)\n"
        f"most in any window: {overall}/s overall (limit {PER_SECOND}), {per_chat}/s to a "
        f"chat (limit 1), {per_group}/min to a group (limit {GROUP_PER_MINUTE})\n"
        f"time: {elapsed:.1f} s for all replies; the limits allow no less than {bound:.1f} s "
        f"({bound / elapsed:.0%} of the best possible pace)"
    )
    table_row(
        f"flood control: {args.users} users × {args.commands} commands at once, "
        f"{args.groups} groups × {args.group_commands}, Telegram's limits enforced "
        "(`flood.py`)",
        f"{lost} lost, {errors} errors, {drawn} 429s drawn; peaks {overall}/s, "
        f"{per_chat}/s per chat, {per_group}/min per group; {elapsed:.0f} s "
        f"({bound / elapsed:.0%} of the best pace)",
        "0 lost, 0 errors, no limit exceeded",
        ok,
    )
    return exit_code(ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--commands", type=int, default=5, help="per private user, at once")
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--group-commands", type=int, default=22, help="per group, at once")
    parser.add_argument("--timeout", type=float, default=300.0)
    return asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
