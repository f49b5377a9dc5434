"""One running bot for a whole table of cases: send every input at once, then check each chat.

Every case talks from its own chat (and user), so the answers cannot mix and the per-user
flood control never kicks in; a case passes when some answer in its chat contains the
expected text, and the chat is answered again afterwards (the bot keeps answering).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from tests.conftest import seed, start_bot, stop_bot
from tests.fakes import FakeBotApi

HELP_MARK = "Commands"  # in the /help answer
WENT_WRONG = "something went wrong"


@dataclass(frozen=True, slots=True)
class Case:
    """One input and the text its answer must contain."""

    text: str
    expected: str
    user_id: int | None = None  # default: the chat id


@asynccontextmanager
async def running_bot(api: FakeBotApi, settings: Settings) -> AsyncIterator[FakeBotApi]:
    """The real bot over the NEWS articles, polling `api`, with a generous flood allowance."""
    await seed(settings)
    relaxed = settings.model_copy(update={"user_burst": 1000, "user_rate_per_minute": 6000.0})
    app = await start_bot(relaxed)
    try:
        yield api
    finally:
        await stop_bot(app)


async def answer_in(
    api: FakeBotApi, chat_id: int, done: Callable[[list[str]], bool], within: float = 10
) -> list[str] | None:
    """The chat's texts once `done` holds for them, or None after `within` seconds."""
    try:
        return await api.replies_until(chat_id, done, within)
    except TimeoutError:
        return None


def containing(expected: str) -> Callable[[list[str]], bool]:
    """A `done` test for `answer_in`: some text contains `expected`."""
    return lambda texts: any(expected in text for text in texts)


async def check_case(api: FakeBotApi, chat_id: int, case: Case) -> str | None:
    """None when the case's chat got the expected answer and then a /help answer; else why not."""
    got = await answer_in(api, chat_id, lambda texts: any(case.expected in t for t in texts))
    if got is None:
        seen = [m["text"][:200] for m in api.messages(chat_id)]
        return f"{case.text[:80]!r}: expected {case.expected!r}, got {seen!r}"
    if any(WENT_WRONG in t.lower() for t in got):
        return f"{case.text[:80]!r}: answered with the generic error: {got!r}"
    before = len(got)
    await api.send_text("/help", chat_id=chat_id, user_id=case.user_id or chat_id)
    after = await answer_in(api, chat_id, lambda t: any(HELP_MARK in x for x in t[before:]))
    if after is None:
        return f"{case.text[:80]!r}: no answer to /help afterwards"
    return None


async def run_cases(api: FakeBotApi, cases: list[Case], first_chat: int) -> list[str]:
    """Send every case from its own chat at once; the failures, one line each."""
    for number, case in enumerate(cases):
        chat = first_chat + number
        await api.send_text(case.text, chat_id=chat, user_id=case.user_id or chat)
    results = await asyncio.gather(
        *(check_case(api, first_chat + n, case) for n, case in enumerate(cases))
    )
    return [r for r in results if r is not None]


def raw_message(chat_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """A `message` update body as the Bot API sends it (any text, any extra fields)."""
    return {
        "message": {
            "message_id": chat_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Tester"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Tester"},
            "text": text,
            **extra,
        }
    }
