"""Faults end to end: a locked database, malformed updates from the Bot API.

The bot must tell the user clearly when the store is unavailable, recover by itself once it
is back, and keep polling whatever getUpdates returns.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from bot.config import Settings
from tests import test_webhook
from tests.fakes import FakeBotApi
from tests.reliability.harness import answer_in, raw_message, running_bot
from tests.test_webhook import SECRET
from tests.test_webhook import _post as post
from tests.test_webhook import _update as webhook_update

# The webhook-mode bot of tests/test_webhook.py, for the malformed-post test.
hook_settings = test_webhook.hook_settings
running = test_webhook.running

UNAVAILABLE = "The news store is busy or unavailable"


def _db_path(settings: Settings) -> str:
    return settings.database_url.removeprefix("sqlite:///")


async def test_locked_database_gets_a_clear_answer_then_recovers(
    fake_api: FakeBotApi, bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another process holds the write lock: "store unavailable"; afterwards: answers."""
    # Tuning knobs, shortened so that a locked write fails in a second rather than ten.
    monkeypatch.setattr("bot.store.engine.BUSY_TIMEOUT_SECONDS", 0.2)
    chat = 510_001
    async with running_bot(fake_api, bot_settings) as api:
        other = sqlite3.connect(_db_path(bot_settings), isolation_level=None, timeout=5)
        other.execute("BEGIN EXCLUSIVE")
        try:
            await api.send_text("/summary tsunami", chat_id=chat)
            await api.send_text("/subscribe floods", chat_id=chat + 1)
            locked = await api.replies(chat, 1)
            locked_sub = await api.replies(chat + 1, 1)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await api.send_text("/summary tsunami", chat_id=chat)
        await api.send_text("/subscribe floods", chat_id=chat + 1)
        after = await api.replies(chat, 2)
        after_sub = await api.replies(chat + 1, 2)
    assert UNAVAILABLE in locked[0] and UNAVAILABLE in locked_sub[0]
    assert "Tsunami warning lifted" in after[1]
    assert "Subscribed to <b>floods</b>" in after_sub[1] or "Subscribed to floods" in after_sub[1]
    assert fake_api.rejected == []


GARBAGE: list[dict[str, Any]] = [
    {"message": "not an object"},
    {"message": {"text": "/help"}},  # no chat, no date, no id
    {"message": {"message_id": 1, "date": "yesterday", "chat": 5, "text": 7}},
    {"callback_query": {}},
    {"inline_query": {"id": "q"}},
    {"edited_message": None},
    {"something_new": {"x": [1, 2]}},
    {},
]


async def test_malformed_updates_are_logged_and_polling_goes_on(
    fake_api: FakeBotApi, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage from getUpdates is skipped (and logged); later updates are answered."""
    chat = 530_001
    async with running_bot(fake_api, bot_settings) as api:
        for number, garbage in enumerate(GARBAGE):
            await api.push_update(garbage)
            await api.push_update(raw_message(chat + number, "tsunami"))
        await api.send_text("/summary tsunami", chat_id=chat + 99)
        answered = [
            await answer_in(api, chat + n, lambda t: any("Tsunami" in x for x in t))
            for n in range(len(GARBAGE))
        ]
        last = await answer_in(api, chat + 99, lambda t: any("Tsunami" in x for x in t))
    assert all(a is not None for a in answered), answered
    assert last is not None
    assert "is malformed and was skipped" in caplog.text
    assert fake_api.rejected == []


async def test_malformed_webhook_posts_are_skipped_and_serving_goes_on(
    fake_api: FakeBotApi, running: tuple[str, asyncio.Event], caplog: pytest.LogCaptureFixture
) -> None:
    """In webhook mode, garbage with the right secret is skipped with a 200 (an error status
    would make Telegram resend it, holding back later updates); later updates are answered."""
    base, _ = running
    posts = [{"update_id": 100 + n, **garbage} for n, garbage in enumerate(GARBAGE[:4])]
    statuses = [await post(f"{base}/telegram", body, SECRET) for body in posts]
    assert await post(f"{base}/telegram", webhook_update(9, "/summary tsunami"), SECRET) == 200
    (reply,) = await fake_api.replies(1001, 1)
    assert statuses == [200] * 4
    assert caplog.text.count("a malformed update was skipped") == 4
    assert "Tsunami warning lifted" in reply
