"""The real `newsbot run` process against the fake Bot API: what it asks for, and kill -9.

A digest is sent message by message, and each message's stories are written to the delivery
log right after Telegram accepts it. Killed with SIGKILL mid-digest and started again, the
bot sends exactly the rest once the dead instance's claim on the chat has expired: nothing
is lost, and at most the one message that was in flight when the process died (accepted by
Telegram, not yet logged) arrives twice.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import open_store
from tests.conftest import make_article
from tests.digest.conftest import report, seed, story_counts
from tests.fakes import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
CHAT = 4242
STORIES = 10  # a digest's most
LONG = (
    "said the regional civil protection office in its evening statement to the press, "
    "adding that roads into the valley would stay closed until the engineers finished"
)


def _run(api: FakeBotApi, database_url: str, **settings: str) -> subprocess.Popen[bytes]:
    """`python -m bot run` polling `api`; nothing else is contacted."""
    return _start(api, database_url, settings, own_group=False)


def _start(
    api: FakeBotApi, database_url: str, settings: dict[str, str], *, own_group: bool
) -> subprocess.Popen[bytes]:
    """`_run`; with `own_group`, in a new process group (as a terminal runs it), its stderr
    piped."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": database_url,
        "DEFAULT_FEEDS": "false",
        "LOAD_SAMPLE": "false",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE if own_group else None,
        start_new_session=own_group,
    )


async def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> None:
    process.send_signal(sig)
    try:
        await asyncio.to_thread(process.wait, 30)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait)


async def _until(api: FakeBotApi, done: Callable[[], bool], within: float) -> None:
    await api.wait_for(done, within=within)


async def test_polling_asks_only_for_the_updates_it_handles(
    fake_api: FakeBotApi, db_url: str
) -> None:
    """getUpdates names the four update types the handler table handles, not all 25."""
    bot = _run(fake_api, db_url, DIGEST_TICK_SECONDS="0")
    try:
        await _until(fake_api, lambda: any(m == "getUpdates" for m, _ in fake_api.calls), 60)
    finally:
        await _stop(bot)
    asked = next(p for m, p in fake_api.calls if m == "getUpdates")["allowed_updates"]
    assert sorted(asked) == ["callback_query", "edited_message", "inline_query", "message"]


async def test_ctrl_c_stops_the_bot_and_its_summary_process_quietly(
    fake_api: FakeBotApi, db_url: str
) -> None:
    """Ctrl-C in a terminal interrupts the whole process group: the bot answers with a clean
    stop, its summary process with nothing (no traceback), and none is left running."""
    store = open_store(db_url)
    await store.open()
    await store.add_article(make_article("Dam opens", "The new dam opened on Monday."))
    await store.close()
    settings = {"DIGEST_TICK_SECONDS": "0", "SUMMARY_WORKERS": "1"}
    bot = _start(fake_api, db_url, settings, own_group=True)
    try:
        await fake_api.send_text("/summary dam", chat_id=CHAT, user_id=CHAT)
        [answer] = await fake_api.replies(CHAT, 1, within=60)
        os.killpg(bot.pid, signal.SIGINT)
        _, err = await asyncio.to_thread(bot.communicate, None, 30)
    finally:
        if bot.poll() is None:
            os.killpg(bot.pid, signal.SIGKILL)
            await asyncio.to_thread(bot.wait)
    assert "The new dam opened on Monday." in answer
    assert bot.returncode == 0
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert await asyncio.to_thread(_group_gone, bot.pid, 10.0)  # no worker left behind


def _group_gone(group: int, within: float) -> bool:
    """Whether no process of the group is left within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("moment", ["second message in flight", "first message just accepted"])
async def test_a_digest_killed_mid_send_resumes_with_exactly_the_rest(
    fake_api: FakeBotApi, db_url: str, moment: str
) -> None:
    """SIGKILL mid-digest, then a new process: every story arrives; repeats only in the gap.

    In flight (the second message's request reached Telegram, which dropped it): the first
    message was logged, so nothing arrives twice. Just accepted (Telegram took the first
    message; its answer had not reached the bot, so the bot could not log it): that one
    message arrives again.
    """
    store = open_store(db_url)
    await store.open()
    try:
        await seed(store, [CHAT], 0)  # subscribed and due
        for number in range(STORIES):
            title, text = report("volcano", number)
            long_title = f"{title}, {LONG}"  # titles are never cut: two messages
            article = make_article(long_title, text, url=f"https://news.test/v/{number}")
            await store.add_article(article)
    finally:
        await store.close()
    environment = {
        "DIGEST_TICK_SECONDS": "1",
        "DIGEST_LEASE_SECONDS": "3",  # the dead instance's claim expires quickly
        "CHAT_RATE": "0.5",  # two seconds between messages: time to kill in between
    }
    in_flight = moment.startswith("second")
    if in_flight:
        fake_api.flood.inject("drop", after=1)
    else:  # Telegram has the message; its answer has not reached the bot when it dies
        fake_api.answer_delay = 5.0

    def sends() -> int:
        return sum(method == "sendMessage" for method, _ in fake_api.calls)

    first = _run(fake_api, db_url, **environment)
    try:
        await _until(fake_api, lambda: sends() >= (2 if in_flight else 1), 90)
    finally:
        await _stop(first, signal.SIGKILL)
    fake_api.flood.heal()
    fake_api.answer_delay = 0.0
    before = [_read_ids(m["text"]) for m in fake_api.messages(CHAT)]
    second = _run(fake_api, db_url, **environment)
    try:
        await _until(fake_api, lambda: len(story_counts(fake_api, CHAT)) == STORIES, 90)
        await asyncio.sleep(2)  # anything more would come now
    finally:
        await _stop(second)
    counts = story_counts(fake_api, CHAT)
    assert len(before) == 1 and len(fake_api.messages(CHAT)) > 1
    assert len(counts) == STORIES  # nothing lost
    twice = {story for story, times in counts.items() if times == 2}
    assert max(counts.values()) <= 2
    assert twice == (set() if in_flight else before[0]), counts


def _read_ids(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"/read (\d+)", text)}
