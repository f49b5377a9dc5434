"""Webhook mode end to end: the fake Bot API, the real bot, updates posted over loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.store import open_store
from bot.webhook import SECRET_HEADER, serve
from tests.conftest import seed
from tests.fakes import TOKEN, FakeBotApi
from tests.pg import pg_url  # noqa: F401 -- the fixture

SECRET = "s3cret_Token-for-tests"


def _free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _update(update_id: int, text: str, chat_id: int = 1001) -> dict[str, Any]:
    """A private-chat text message update as Telegram posts it."""
    chat = {"id": chat_id, "type": "private", "first_name": "Tester"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Tester"},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id, "message": message}


@pytest.fixture
def hook_settings(fake_api: FakeBotApi, db_url: str) -> Settings:
    """Webhook-mode settings on loopback, pointed at the fake Bot API."""
    port = _free_port()
    return load_settings(
        None,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake_api.url,
        database_url=db_url,
        load_sample=False,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        metrics=True,
    )


@pytest.fixture
async def running(hook_settings: Settings) -> AsyncIterator[tuple[str, asyncio.Event]]:
    """The bot serving its webhook; yields (base URL, stop event)."""
    await seed(hook_settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(build_application(hook_settings), hook_settings, stop))
    base = f"http://127.0.0.1:{hook_settings.webhook_port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{base}/healthz") as answer:
                    if answer.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    yield base, stop
    stop.set()
    await asyncio.wait_for(task, 30)


async def _post(url: str, body: dict[str, Any], secret: str | None) -> int:
    """POST an update; the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as r:
        return r.status


async def test_update_over_webhook_gets_a_reply(
    fake_api: FakeBotApi, running: tuple[str, asyncio.Event]
) -> None:
    base, _ = running
    assert fake_api.webhook["url"] == f"{base}/telegram"
    assert fake_api.webhook["secret_token"] == SECRET
    assert fake_api.webhook["drop_pending_updates"] in ("false", "False", False)
    assert "callback_query" in fake_api.webhook["allowed_updates"]
    assert await _post(f"{base}/telegram", _update(1, "/summary tsunami"), SECRET) == 200
    (reply,) = await fake_api.replies(1001, 1)
    assert "Tsunami warning lifted" in reply
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as answer:
        exposition = await answer.text()
    assert 'newsbot_updates_total{kind="command"} ' in exposition
    assert "newsbot_reply_latency_seconds_count" in exposition


@pytest.mark.parametrize("secret", [None, "", "bogus_value", SECRET + "x"])
async def test_wrong_or_missing_secret_is_403_and_not_handled(
    fake_api: FakeBotApi,
    running: tuple[str, asyncio.Event],
    secret: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    base, _ = running
    assert await _post(f"{base}/telegram", _update(2, "/summary tsunami"), secret) == 403
    await asyncio.sleep(0.2)
    assert fake_api.messages(1001) == []
    assert "refused a request" in caplog.text
    assert SECRET not in caplog.text and (not secret or secret not in caplog.text)


async def test_shutdown_finishes_updates_in_flight(
    fake_api: FakeBotApi, running: tuple[str, asyncio.Event]
) -> None:
    base, stop = running
    assert await _post(f"{base}/telegram", _update(3, "football"), SECRET) == 200
    stop.set()  # at once: the queued update must still be answered before the bot stops
    (reply,) = await fake_api.replies(1001, 1)
    assert "Football" in reply


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_an_update_sent_again_is_answered_once_across_instances(
    fake_api: FakeBotApi,
    hook_settings: Settings,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """Telegram resends an update whose answer was lost, maybe to another instance.

    The same update_id posted ten times at once, half to each of two instances sharing
    the store, got ten answers; now one.
    """
    url = hook_settings.database_url
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
    first = hook_settings.model_copy(update={"database_url": url, "auto_migrate": True})
    schema = open_store(url, auto_migrate=True)  # an empty PostgreSQL schema: create it
    await schema.open()
    await schema.close()
    await seed(first)
    port = _free_port()
    second = first.model_copy(
        update={"webhook_port": port, "webhook_url": f"http://127.0.0.1:{port}/telegram"}
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(serve(build_application(s), s, stop)) for s in (first, second)]
    bases = [f"http://127.0.0.1:{s.webhook_port}" for s in (first, second)]
    try:
        async with aiohttp.ClientSession() as http:
            for base in bases:
                for _ in range(200):
                    try:
                        async with http.get(f"{base}/healthz") as answer:
                            if answer.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.05)
        update = _update(77, "/summary tsunami")
        statuses = await asyncio.gather(
            *(_post(f"{bases[n % 2]}/telegram", update, SECRET) for n in range(10))
        )
        await fake_api.replies(1001, 1)
        await asyncio.sleep(1.5)  # a second answer would have come by now
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    assert statuses == [200] * 10
    assert len(fake_api.messages(1001)) == 1
