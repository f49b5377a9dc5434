"""Security end to end: no token in any log line, no markup from articles, no private fetches.

Admin refusals and forged buttons are in test_bad_input.py; one user flooding the bot is in
tests/test_app.py (test_one_flooding_user_does_not_starve_others).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import pytest

from bot.config import Settings, configure_logging
from bot.models import Subscription
from bot.store import open_store
from tests.conftest import make_article, start_bot, stop_bot
from tests.fakes import TOKEN, FakeBotApi
from tests.ingest.site import LocalSite
from tests.reliability.harness import answer_in, raw_message

EVIL_TITLE = 'Quake <b>bold</b> & <a href="http://evil.example/">click</a> &amp; more'
EVIL_TEXT = (
    "The quake <script>alert(1)</script> hit at dawn &amp; shook <i>every</i> house.\n"
    'Rescuers said <a href="http://evil.example/x">this link</a> & that were fake.\n'
    "Schools &lt;closed&gt; on Monday, officials said."
)
EVIL_SOURCE = "<u>Evil</u> & Co"


_LOUD = ("httpx", "httpcore", "telegram", "apscheduler")


def _debug_logging() -> None:
    """The bot's own logging set-up at DEBUG (to the current stderr), httpx's included."""
    configure_logging("DEBUG", [TOKEN])
    for name in _LOUD:
        logging.getLogger(name).setLevel(logging.DEBUG)


@pytest.fixture
def debug_logs() -> Iterator[None]:
    """Restores the logging set-up that `_debug_logging` replaces."""
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    yield
    logging.getLogger().handlers, level = saved
    logging.getLogger().setLevel(level)
    for name in _LOUD:
        logging.getLogger(name).setLevel(logging.NOTSET)


async def test_the_token_never_reaches_the_logs(
    fake_api: FakeBotApi,
    bot_settings: Settings,
    debug_logs: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A whole DEBUG session with errors, retries and garbage updates logs no token at all."""
    store = open_store(bot_settings.database_url)
    await store.open()
    await store.add_article(make_article("Tsunami warning lifted", "A tsunami hit. It was big."))
    await store.close()
    _debug_logging()  # here, once capsys has replaced stderr
    app = await start_bot(bot_settings)
    try:
        await fake_api.send_text("/summary tsunami", chat_id=600_001, user_id=600_001)
        await fake_api.replies(600_001, 1)
        fake_api.flood.inject("500", "drop", "429", retry_after=0.01)
        await fake_api.send_text("/help", chat_id=600_002, user_id=600_002)
        await fake_api.push_update({"message": "garbage"})
        await fake_api.push_update(raw_message(600_003, "/read 1"))
        await fake_api.send_text("/ingest http://10.0.0.1/", chat_id=600_004, user_id=600_004)
        await answer_in(fake_api, 600_003, lambda t: len(t) > 0)
        await answer_in(fake_api, 600_004, lambda t: len(t) > 0)
    finally:
        await stop_bot(app)
    # A broken log call (wrong argument count) with the token in an argument.
    logging.getLogger("httpx").info(
        "HTTP Request: %s %s", f"{bot_settings.telegram_api_url}/bot{TOKEN}"
    )
    logs = capsys.readouterr().err
    assert "getUpdates" in logs and "handler failed" in logs and "Traceback" in logs
    for leaked in (TOKEN, TOKEN.split(":", 1)[1], quote(TOKEN, safe=""), quote(TOKEN)):
        assert leaked not in logs


@pytest.fixture
async def evil_bot(fake_api: FakeBotApi, bot_settings: Settings) -> AsyncIterator[FakeBotApi]:
    """The bot over one article whose title, text and source are full of markup."""
    store = open_store(bot_settings.database_url)
    await store.open()
    stored = await store.add_article(
        make_article(EVIL_TITLE, EVIL_TEXT, source=EVIL_SOURCE, url="https://e.org/?a=1&b=<2>")
    )
    assert stored.article_id == 1
    await store.subscribe(Subscription(600_105, "quake"))
    await store.close()
    app = await start_bot(bot_settings)
    yield fake_api
    await stop_bot(app)


async def test_article_markup_is_shown_literally_everywhere(evil_bot: FakeBotApi) -> None:
    """Title, text and source with tags and entities reach the user as the text they are."""
    api = evil_bot
    commands = ["/summary quake", "/read 1", "/latest", "/topics", "quake dawn"]
    for number, command in enumerate(commands):
        await api.send_text(command, chat_id=600_100 + number, user_id=600_100 + number)
    await api.send_text("/digest", chat_id=600_105, user_id=600_105)
    await api.inline("quake", user_id=600_106)
    texts = ["\n".join(await api.replies(600_100 + n, 1)) for n in range(len(commands) + 1)]
    await api.wait_for(lambda: len(api.inline_answers) == 1)
    inline = api.inline_answers[0]["results"][0]["input_message_content"]["message_text"]
    for text in [texts[0], texts[1], texts[2], texts[4], texts[5]]:
        assert 'Quake <b>bold</b> & <a href="http://evil.example/">click</a> &amp; more' in text
    for text in [texts[0], texts[1], texts[3], texts[5]]:
        assert EVIL_SOURCE in text
    assert "<script>alert(1)</script>" in texts[1] or "&lt;closed&gt;" in texts[1]
    assert "&lt;b&gt;bold&lt;/b&gt;" in inline  # escaped HTML, shown as typed
    sent_html = [m["html"] for m in api.sent]
    assert not any('<a href="http://evil.example' in h for h in sent_html)
    assert not any("<script>" in h or "<u>Evil" in h for h in sent_html)
    assert api.rejected == []


async def test_private_addresses_are_never_fetched(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """Without ALLOW_PRIVATE_URLS a loopback page is refused before any connection is made."""
    site = LocalSite()
    await site.start()
    page = site.add("/news", "<html><body><p>Never served.</p></body></html>")
    admin = bot_settings.model_copy(update={"admin_ids": "600201"})
    app = await start_bot(admin)
    try:
        host_alias = page.replace("127.0.0.1", "localhost")
        # IPv6 forms that carry 127.0.0.1 (mapped, NAT64, 6to4, IPv4-compatible, SIIT),
        # and a site-local address
        forms = ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "::7f00:1",
                 "::ffff:0:7f00:1", "fec0::1"]  # fmt: skip
        ipv6 = [page.replace("127.0.0.1", f"[{form}]") for form in forms]
        texts = [page, host_alias, *ipv6, f"/ingest {page}"]
        for number, text in enumerate(texts):
            chat = 600_200 + number
            user = 600_201 if text.startswith("/") else chat
            await fake_api.send_text(text, chat_id=chat, user_id=user)
        answers = [await fake_api.replies(600_200 + n, 1) for n in range(len(texts))]
    finally:
        await stop_bot(app)
        await site.stop()
    assert all("I couldn't read" in a[0] and "refused" in a[0] for a in answers), answers
    assert site.requests == []
    assert fake_api.rejected == []
