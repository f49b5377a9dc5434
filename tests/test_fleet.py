"""Two bot processes on one PostgreSQL: one is killed mid-digest, every story arrives once.

Both instances run `python -m bot run --webhook` against the fake Bot API and a fresh
PostgreSQL schema. Once a dozen digest messages went out, the fake Bot API holds every
further sendMessage; the test kills one instance with SIGKILL while its requests hang (so
Telegram never delivered them), then lets the held requests of the survivor through. The
dead instance's claims expire (DIGEST_LEASE_SECONDS) and the survivor finishes its chats.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from aiohttp import web

from bot.store.sqlstore import SqlStore
from bot.transport.ratelimit import FleetRateLimiter
from tests.digest.conftest import seed, story_counts
from tests.fakes import TOKEN, FakeBotApi
from tests.pg import pg_url

__all__ = ["pg_url"]

CHATS = list(range(501, 531))
STORIES = 3
HOLD_AFTER = 12
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class GatedApi(FakeBotApi):
    """The fake Bot API, able to hold sendMessage requests until the test lets them go."""

    hold_after: int | None = HOLD_AFTER
    held: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def _handle(self, request: web.Request) -> web.Response:
        hold, method = self.hold_after, request.match_info["method"]
        if method == "sendMessage" and hold is not None and len(self.sent) >= hold:
            async with self._changed:
                self.held += 1
                self._changed.notify_all()
            await self.release.wait()
            transport = request.transport
            if transport is None or transport.is_closing():  # its instance was killed
                return web.json_response({"ok": False}, status=502)
        return await super()._handle(request)


def _port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(api: GatedApi, database_url: str) -> dict[str, str]:
    """Settings of one instance (its webhook port differs)."""
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return env | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": "fleet-secret",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "LOAD_SAMPLE": "false",
        "DEFAULT_FEEDS": "false",
        "FEED_TICK_SECONDS": "0",
        "DIGEST_TICK_SECONDS": "1",
        "DIGEST_BATCH": "4",
        "DIGEST_RATE": "20",
        "DIGEST_LEASE_SECONDS": "3",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
async def api() -> AsyncIterator[GatedApi]:
    """The gated fake Bot API on loopback."""
    fake = GatedApi()
    await fake.start()
    yield fake
    fake.release.set()
    await fake.stop()


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """One bot instance as its own process (`newsbot run --webhook`)."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--env-file", "/nonexistent/.env", "run", "--webhook",
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip


async def _quiet(api: GatedApi, seconds: float = 0.5) -> None:
    """Wait until no message has been delivered for `seconds` (only held requests remain)."""
    count = -1
    while count != len(api.sent):
        count = len(api.sent)
        await asyncio.sleep(seconds)


async def _wait_for_claim_holders(url: str, count: int, within: float = 60) -> None:
    """Poll until `count` workers hold digest claims (TimeoutError after `within` seconds)."""
    for _ in range(int(within / 0.2)):
        if len(await _claim_holders(url)) >= count:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"fewer than {count} instances ever held digest claims")


async def _claim_holders(url: str) -> set[str]:
    """The workers holding digest claims right now."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        query = "SELECT DISTINCT claimed_by FROM chat_settings WHERE claimed_by IS NOT NULL"
        return {str(row[0]) for row in await (await conn.execute(query)).fetchall()}


async def test_a_killed_instance_loses_and_repeats_nothing(
    api: GatedApi, pg_url: str, tmp_path: Path
) -> None:
    store = SqlStore(pg_url)
    await store.migrate()
    await store.open()
    await seed(store, CHATS, STORIES)
    ids = {a.id for a in await store.latest(100) if a.id is not None}
    first = await _start(_environment(api, pg_url), tmp_path / "first.log")
    second = await _start(_environment(api, pg_url), tmp_path / "second.log")
    try:
        await api.wait_for(lambda: api.held >= 2, within=60)
        # One instance alone can fill the first held requests while the other still starts.
        await _wait_for_claim_holders(pg_url, 2)
        await _quiet(api)
        assert len(await _claim_holders(pg_url)) == 2
        first.send_signal(signal.SIGKILL)  # mid-digest: claimed chats, requests in flight
        await first.wait()
        await asyncio.sleep(0.3)  # the kernel closes the dead process's sockets
        api.hold_after = None
        api.release.set()

        def complete() -> bool:
            return all(len(story_counts(api, chat)) == len(ids) for chat in CHATS)

        await api.wait_for(complete, within=60)
        await asyncio.sleep(1.5)  # a late duplicate would show up now
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
        await store.close()
    for chat in CHATS:
        assert story_counts(api, chat) == {i: 1 for i in ids}, chat
    second_log = (tmp_path / "second.log").read_text()
    assert TOKEN not in second_log and "fleet-secret" not in second_log
    assert second.returncode == 0


async def test_the_bucket_paces_every_instance_together(pg_url: str) -> None:
    stores = [SqlStore(pg_url), SqlStore(pg_url)]  # two instances' pools
    await stores[0].migrate()
    for store in stores:
        await store.open()
    try:
        assert all(store.shares_rate_limits for store in stores)
        paces = [store.reserve_slot for store in stores]
        waits = [await paces[n % 2]("overall", 0.1, 0.0) for n in range(10)]
        pause = stores[1].pause_key
        await pause("overall", 5.0)
        after_429 = await paces[0]("overall", 0.1, 0.0)
    finally:
        for store in stores:
            await store.close()
    assert waits[0] == 0.0
    assert 0.8 < waits[-1] <= 0.9 + 0.05  # ten slots 0.1 s apart, whichever instance asks
    assert after_429 > 4.5  # a 429 seen by one instance holds back the other


async def test_limiter_without_postgres_passes_calls_through() -> None:
    limiter = FleetRateLimiter()
    await limiter.initialize()

    async def call(*args: object, **kwargs: object) -> bool:
        return True

    try:
        result = await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
    finally:
        await limiter.shutdown()
    assert result is True and not limiter.shared
