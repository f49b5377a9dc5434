"""End to end: the real PTB Application polling the fake Bot API over loopback HTTP."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings, configure_logging
from bot.store import open_store
from tests.conftest import child_processes, make_article, start_bot, stop_bot
from tests.fakes import TOKEN, FakeBotApi

ARTICLES = [
    make_article(
        "Tsunami warning lifted after coastal quake",
        "A tsunami warning for the northern coast was lifted on Monday after a strong quake.\n"
        "Officials said waves of up to half a metre reached two harbours.\n"
        "No damage was reported, and schools will reopen on Tuesday.\n"
        "Seismologists said aftershocks were likely during the week.",
        url="https://example.org/tsunami?a=1&b=2",
    ),
    make_article(
        "Parliament passes <budget> & tax bill",
        "Parliament passed the budget bill by a wide margin on Thursday.\n"
        "The bill raises the tax on tobacco & alcohol by 5% <effective> next year.",
    ),
]


async def _seed(settings: Settings) -> None:
    store = open_store(settings.database_url)
    await store.open()
    for article in ARTICLES:
        await store.add_article(article)
    await store.close()


async def test_summary_reply_and_command_menu(
    fake_api: FakeBotApi, bot_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user asks /summary tsunami and gets the article's sentences, title and source."""
    await _seed(bot_settings)
    saved = logging.getLogger().handlers[:]
    configure_logging("DEBUG", [TOKEN])
    try:
        app = await start_bot(bot_settings)
        try:
            await fake_api.send_text("/summary tsunami")
            [text] = await fake_api.replies(1001, 1)
        finally:
            await stop_bot(app)
    finally:
        logging.getLogger().handlers = saved
    logs = capsys.readouterr().err
    assert "Tsunami warning lifted after coastal quake" in text
    assert "A tsunami warning for the northern coast was lifted" in text
    assert "Test Wire" in text
    assert [c["command"] for c in fake_api.commands][:3] == ["summary", "latest", "read"]
    assert fake_api.rejected == []
    assert "getUpdates" in logs
    assert TOKEN not in logs


async def test_article_markup_is_escaped(fake_api: FakeBotApi, bot_settings: Settings) -> None:
    """Article text with <, > and & reaches the user as text, never as markup."""
    await _seed(bot_settings)
    app = await start_bot(bot_settings)
    try:
        await fake_api.send_text("budget")
        [text] = await fake_api.replies(1001, 1)
    finally:
        await stop_bot(app)
    assert "Parliament passes <budget> & tax bill" in text
    assert "5% <effective>" in text
    assert fake_api.rejected == []


BAD_INPUTS = [
    ("/summary", "Which topic?"),
    ("/summary " + "x" * 5000, "please keep it under"),
    ('/summary "china" AND NEAR(x* OR y) -z', "Nothing stored on"),
    ("/summary <b>bold</b> & <script>", "Nothing stored on"),
    ("/summary 🌊🌊 שלום עליכם", "Nothing stored on"),
    ("/read", "Which article?"),
    ("/read abc", "is not an article id"),
    ("/read 99999", "There is no article 99999"),
    ("/read -1", "is not an article id"),
    ("/latest many", "is not a number"),
    ("/frobnicate now", "I don't know"),
    ("\u200b\u200f", "Which topic?"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_INPUTS)
async def test_bad_input_gets_a_clear_answer(
    fake_api: FakeBotApi, bot_settings: Settings, text: str, expected: str
) -> None:
    """Every bad input gets a short answer, and the bot keeps answering afterwards."""
    await _seed(bot_settings)
    app = await start_bot(bot_settings)
    try:
        await fake_api.send_text(text)
        [answer] = await fake_api.replies(1001, 1)
        await fake_api.send_text("/summary tsunami")
        after = await fake_api.replies(1001, 2)
    finally:
        await stop_bot(app)
    assert expected in answer
    assert len(answer) < 400
    assert "Tsunami warning lifted" in after[1]
    assert fake_api.rejected == []


async def test_long_reply_is_split_under_the_limit(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """/latest over many long headlines is split into messages Telegram accepts."""
    store = open_store(bot_settings.database_url)
    await store.open()
    for n in range(30):
        title = f"Headline {n} " + "long words & more " * 20
        await store.add_article(make_article(title, f"Body number {n}. It has text."))
    await store.close()
    app = await start_bot(bot_settings)
    try:
        await fake_api.send_text("/latest 30")
        texts = await fake_api.replies_until(
            1001, lambda sent: sum(t.count("Headline ") for t in sent) >= 30
        )
    finally:
        await stop_bot(app)
    assert len(texts) >= 2
    assert fake_api.rejected == []
    assert sum(t.count("Headline ") for t in texts) == 30


async def test_one_flooding_user_does_not_starve_others(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Over the per-user allowance: one "slow down", then silence; other users are served."""
    await _seed(bot_settings)
    settings = bot_settings.model_copy(update={"user_burst": 3, "user_rate_per_minute": 1})
    app = await start_bot(settings)
    try:
        for _ in range(8):
            await fake_api.send_text("/help", chat_id=1001, user_id=1001)
        await fake_api.send_text("/summary tsunami", chat_id=2002, user_id=2002)
        [other] = await fake_api.replies(2002, 1)
        await fake_api.replies(1001, 4)
        await fake_api.send_text("/help", chat_id=2002, user_id=2002)
        await fake_api.replies(2002, 2)
    finally:
        await stop_bot(app)
    flooded = [m["text"] for m in fake_api.messages(1001)]
    assert "Tsunami warning lifted" in other
    assert sum("Slow down" in t for t in flooded) == 1
    assert len(flooded) == 4


async def test_topic_summaries_in_a_worker_process(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """SUMMARY_WORKERS=1 (the default on 2+ cores): the same answer, chosen in another process
    that starts with the bot and stops with it."""
    await _seed(bot_settings)
    replies = []
    before = child_processes()
    for workers in (0, 1):
        app = await start_bot(bot_settings.model_copy(update={"summary_workers": workers}))
        try:
            started = child_processes() - before
            await fake_api.send_text("/summary tsunami quake")
            replies.append((await fake_api.replies(1001, workers + 1))[-1])
        finally:
            await stop_bot(app)
        assert bool(started) == bool(workers)  # a process only when asked for
        assert not started & child_processes()  # and it is gone with the bot
    thread, process = replies
    assert "A tsunami warning for the northern coast was lifted" in thread
    assert process == thread
