"""Bad input, table-driven, end to end: every command and a pasted link, one bot per table.

Each input gets a clear answer (never the generic error, never a message the Bot API
refuses), and the chat it came from is answered again afterwards.
"""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.fakes import FakeBotApi
from tests.reliability.harness import (
    Case,
    answer_in,
    containing,
    raw_message,
    run_cases,
    running_bot,
)

ADMIN = 777
LONG = "tsunami " * 1250  # 10,000 characters
CONTROL = "\x00\x07tsunami\x1b\x7f\x9b"
INVISIBLE = "\u200btsu\u200dnami\u200f\u202e\u2066"
EMOJI = "🌊 tsunami 👨‍👩‍👧"
MARKUP = "<b>tsunami</b> *bold* _it_ [x](tg://user?id=1) &amp; &lt;"
FTS = 'tsunami" OR NEAR(a b) AND col:* ^x -y'
SQL = "tsunami'; DROP TABLE articles; --"
HELP = "Commands"
WELCOME = "I summarize the news"
NOT_NUMBER = "is not a number"
NOT_ID = "is not an article id"
TOO_LONG = "please keep it under"
NOT_FOLLOWED = "You don't follow"
NO_SUBS = "You follow no topics yet"
SETTINGS = "Summary length"
TOPICS = "stored articles"
NOT_ADMIN = "only the bot's administrators"

USER_CASES = [
    # /start and /help ignore what follows them.
    *(Case(f"/start {p}", WELCOME) for p in ("", LONG, CONTROL, INVISIBLE, EMOJI, MARKUP, SQL)),
    Case("/start sub_", WELCOME),
    *(Case(f"/help {p}", HELP) for p in ("", LONG, CONTROL, INVISIBLE, EMOJI, MARKUP, FTS)),
    # /summary and plain text: cleaned, searched safely, shown literally.
    Case("/summary", "Which topic?"),
    Case("/summary     ", "Which topic?"),
    Case(f"/summary {LONG}", TOO_LONG),
    Case(f"/summary {CONTROL}", "Tsunami warning lifted"),
    Case(f"/summary {INVISIBLE}", "Tsunami warning lifted"),
    Case(f"/summary {EMOJI}", "Tsunami warning lifted"),
    # Markup and FTS syntax are words of the topic: no article has them all, so the answer
    # echoes the topic literally and offers the tsunami story as "closest".
    Case(f"/summary {MARKUP}", "Nothing stored on <b>tsunami</b> *bold* _it_ [x]"),
    Case(f"/summary {FTS}", 'Nothing stored on tsunami" OR NEAR(a b)'),
    Case(f"/summary {SQL}", "Tsunami warning lifted"),
    Case("/summary \u200b\u200f\u202e", "Which topic?"),
    Case("/summary 🌊🎉", "I can't search for 🌊🎉: it has no words."),
    # only the commonest words: every article or none would match, so say so
    Case("/summary the", "I can't search for the: its words are too common."),
    Case("/summary Это и то", "I can't search for Это и то: its words are too common."),
    Case(LONG, TOO_LONG),
    Case(CONTROL, "Tsunami warning lifted"),
    Case(MARKUP, "Nothing stored on <b>tsunami</b>"),
    Case(FTS, "Tsunami warning lifted"),
    Case(SQL, "Tsunami warning lifted"),
    Case("\u200b\u200f", "Which topic?"),
    # /latest [n]
    Case("/latest", "Football final ends in penalties"),
    Case("/latest 2 3", NOT_NUMBER),
    Case("/latest -1", NOT_NUMBER),
    Case("/latest 0", "Football"),
    Case("/latest 99999999999999999999999", "Football"),
    Case("/latest ٣", NOT_NUMBER),  # an Arabic-Indic digit: isdigit() but not a count
    *(Case(f"/latest {p}", NOT_NUMBER) for p in (LONG, CONTROL, EMOJI, MARKUP, SQL)),
    Case(f"/latest {INVISIBLE}", NOT_NUMBER),
    # /read <id>
    Case("/read", "Which article?"),
    Case("/read 1 2", NOT_ID),
    Case("/read 99999", "There is no article 99999"),
    Case("/read 9999999999999999999999999", NOT_ID),
    Case("/read ²", NOT_ID),
    *(Case(f"/read {p}", NOT_ID) for p in (LONG, CONTROL, EMOJI, MARKUP, FTS, SQL)),
    Case("/read \u200b1\u200f", "Tsunami warning lifted"),
    # /topics ignores arguments.
    *(Case(f"/topics {p}", TOPICS) for p in ("", LONG, CONTROL, MARKUP)),
    # Subscriptions.
    Case("/subscribe", "Which topic?"),
    Case(f"/subscribe {LONG}", TOO_LONG),
    Case(f"/subscribe {CONTROL}", "Subscribed to"),
    Case(f"/subscribe {INVISIBLE}", "Subscribed to"),
    Case(f"/subscribe {EMOJI}", "Subscribed to"),
    Case(f"/subscribe {MARKUP}", "Subscribed to <b>tsunami</b>"),
    Case(f"/subscribe {FTS}", "Subscribed to"),
    Case(f"/subscribe {SQL}", "Subscribed to"),
    Case("/subscribe +flood -fire", "Which topic?"),
    Case("/subscribe + - +", "Which topic?"),
    Case("/subscribe the +flood", "I can't search for the: its words are too common."),
    Case("/subscribe 🌊 🎉 ...", "Which topic?"),
    Case("/unsubscribe", NO_SUBS),
    *(Case(f"/unsubscribe {p}", NOT_FOLLOWED) for p in (LONG, CONTROL, EMOJI, MARKUP, SQL)),
    Case("/unsubscribe a b c", NOT_FOLLOWED),
    *(Case(f"/subscriptions {p}", NO_SUBS) for p in ("", LONG, CONTROL, MARKUP)),
    *(Case(f"/digest {p}", "You follow no topics yet") for p in ("", LONG, EMOJI, MARKUP)),
    # /settings [tz <zone>]
    Case("/settings", SETTINGS),
    Case("/settings tz", SETTINGS),
    Case("/settings tz Mars/Phobos", "is not a time zone"),
    Case("/settings tz ../../etc/passwd", "is not a time zone"),
    Case(f"/settings tz {MARKUP}", "is not a time zone"),
    Case(f"/settings tz {LONG}", "is not a time zone"),
    Case("/settings tz Europe/Berlin extra words", "is not a time zone"),
    *(Case(f"/settings {p}", SETTINGS) for p in (LONG, CONTROL, EMOJI, SQL)),
    # Unknown commands and commands for other bots.
    Case("/frobnicate now", "I don't know"),
    Case("/", "I don't know"),
    Case("/summary@other_bot tsunami", "I don't know"),
    Case(f"/{'x' * 200}", "I don't know"),
    Case(f"/<b>{CONTROL}", "I don't know"),
    Case("/summary@newsbot_test_bot tsunami", "Tsunami warning lifted"),
    # Admin commands from someone who is not an admin.
    *(
        Case(f"/{command} {p}", NOT_ADMIN)
        for command in ("addfeed", "removefeed", "feeds", "ingest")
        for p in ("", "http://127.0.0.1/feed.xml", LONG, MARKUP)
    ),
    # Pasted links: never fetched from private addresses, shown literally.
    Case("http://10.0.0.1/", "I couldn't read"),
    Case("see http://169.254.169.254/latest/meta-data now", "I couldn't read"),
    Case("http://[::1]/", "I couldn't read"),
    Case("http://localhost:1/page", "I couldn't read"),
    Case("http://0.0.0.0/", "I couldn't read"),
    Case("http://[::ffff:10.0.0.1]/", "I couldn't read"),
    Case("http://user:pw@10.0.0.1/", "I couldn't read"),
    Case("http://10.0.0.1/<b>x</b>&amp;", "I couldn't read"),
    Case("http://" + "a" * 9990, "I couldn't read"),
    Case("http://", "Nothing stored on http://"),
    Case(f"http://10.0.0.1/{CONTROL}{INVISIBLE}", "I couldn't read"),
]

ADMIN_CASES = [
    Case("/addfeed", "Which address?", ADMIN),
    Case("/addfeed \u200b", "Which address?", ADMIN),
    Case("/addfeed not a url", "I couldn't add", ADMIN),
    Case("/addfeed ftp://127.0.0.1/feed", "I couldn't add", ADMIN),
    Case("/addfeed http://10.0.0.1/feed.xml", "I couldn't add", ADMIN),
    Case("/addfeed http://169.254.169.254/", "I couldn't add", ADMIN),
    Case(f"/addfeed http://{LONG}", "I couldn't add", ADMIN),
    Case(f"/addfeed {MARKUP}", "I couldn't add <b>tsunami</b>", ADMIN),
    Case("/removefeed", "Which address?", ADMIN),
    Case("/removefeed 99999", "No feed", ADMIN),
    Case("/removefeed 1 2", "No feed", ADMIN),
    Case(f"/removefeed {LONG}", "No feed", ADMIN),
    Case(f"/removefeed {SQL}", "No feed", ADMIN),
    Case(f"/removefeed {MARKUP}", "No feed <b>tsunami</b>", ADMIN),
    Case("/removefeed 99999999999999999999999999", "No feed", ADMIN),
    Case("/feeds", "No feeds yet", ADMIN),
    Case(f"/feeds {LONG}", "No feeds yet", ADMIN),
    Case("/ingest", "Which address?", ADMIN),
    Case("/ingest http://10.0.0.1/", "I couldn't read", ADMIN),
    Case("/ingest http://[::1]:8080/x", "I couldn't read", ADMIN),
    Case("/ingest http://169.254.169.254/latest/meta-data", "I couldn't read", ADMIN),
    Case(f"/ingest {MARKUP}", "I couldn't read", ADMIN),
    Case(f"/ingest {LONG}", "I couldn't read", ADMIN),
    Case(f"/ingest {SQL}", "I couldn't read", ADMIN),
]


@pytest.fixture
def admin_settings(bot_settings: Settings) -> Settings:
    """The bot's settings with one admin (user ADMIN)."""
    return bot_settings.model_copy(update={"admin_ids": str(ADMIN)})


async def test_every_command_answers_bad_input_clearly(
    fake_api: FakeBotApi, admin_settings: Settings
) -> None:
    """Each bad input to every command gets its clear answer; the bot answers afterwards."""
    async with running_bot(fake_api, admin_settings) as api:
        failures = await run_cases(api, USER_CASES + ADMIN_CASES, first_chat=100_000)
    assert failures == [], "\n".join(failures)
    assert fake_api.rejected == []


async def test_lone_surrogates_and_odd_updates_are_answered(
    fake_api: FakeBotApi, admin_settings: Settings
) -> None:
    """Text with invalid UTF-16 (a lone surrogate) or no text at all gets a clear answer."""
    cases = {
        200_001: ("/summary tsu\ud800nami", "Nothing stored on"),
        200_002: ("\udfff", "I can't search for ?: it has no words"),
        200_003: ("/read \ud800", "is not an article id"),
        200_004: ("/\ud800", "I don't know"),
        200_005: ("http://10.0.0.1/\ud800", "I couldn't read"),
        200_006: ("/settings tz \udc00", "is not a time zone"),
        200_007: ("", "I only understand text"),
        200_008: ("/latest \ud83c", "is not a number"),
    }
    async with running_bot(fake_api, admin_settings) as api:
        for chat, (text, _) in cases.items():
            entities = (
                [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
                if text.startswith("/")
                else []
            )
            await api.push_update(raw_message(chat, text, entities=entities))
        await api.push_update({"message": {**raw_message(200_009, "")["message"], "text": None}})
        sticker = raw_message(200_010, "x")["message"]
        del sticker["text"]
        await api.push_update({"message": {**sticker, "sticker": _STICKER}})
        failures = []
        for chat, (text, expected) in cases.items():
            got = await answer_in(api, chat, containing(expected))
            if got is None:
                failures.append(f"{text!r}: expected {expected!r}, got {api.messages(chat)!r}")
        null_text = await answer_in(api, 200_009, containing("only understand text"))
        got = await answer_in(api, 200_010, containing("only understand text"))
        await api.send_text("/summary tsunami", chat_id=200_001)
        after = await answer_in(api, 200_001, containing("Tsunami warning"))
    assert failures == [], "\n".join(failures)
    assert got is not None and null_text is not None
    assert after is not None
    assert fake_api.rejected == []


_STICKER = {
    "file_id": "f",
    "file_unique_id": "u",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


STALE = "This button has expired"
_ALL = "That was everything"
FORGED = [
    "",
    "x",
    "mo:",
    "mo:99999:3",  # a topic id that was never stored
    "ln:99999:2",
    "sb:99999",
    "sb:abc",
    "un:99999",
    "un:../../etc",
    "st:len/huge",
    "st:freq/hourly",
    "st:hour/25",
    "st:hour/٣",
    "st:tz/Mars/Phobos",
    "st:quiet/1-99",
    "st:mute/NoSuchSource",
    "st:nokey",
    "zz:1:1",
    "mo:1:1:1",
    "mo:1:9999999",
    "mo:-1:2",
    "<b>x</b>",
    "st:len/short'; DROP TABLE chats; --",
    "\u200b" * 10,
    "a" * 64,
]


async def test_stale_and_forged_buttons_get_a_polite_answer(
    fake_api: FakeBotApi, admin_settings: Settings
) -> None:
    """Every stale or forged callback is answered once, politely; real buttons still work."""
    chat = 300_001
    async with running_bot(fake_api, admin_settings) as api:
        await api.send_text("/summary tsunami", chat_id=chat)
        await api.replies(chat, 1)
        summary = api.messages(chat)[0]
        buttons = api.buttons(summary)
        ids = [await api.press(summary, data, user_id=chat) for data in FORGED]

        def answered() -> bool:
            done = {a["callback_query_id"] for a in api.callback_answers}
            return all(i in done for i in ids)

        await api.wait_for(answered)
        more = await api.press(summary, buttons["More ▶"], user_id=chat)
        await api.wait_for(
            lambda: any(a["callback_query_id"] == more for a in api.callback_answers)
        )
        await api.send_text("/help", chat_id=chat)
        texts = await api.replies_until(
            chat, lambda t: any("Commands" in x for x in t) and any(_ALL in x for x in t)
        )
    answers = {a["callback_query_id"]: a.get("text", "") for a in api.callback_answers}
    polite = {data: answers[i] for data, i in zip(FORGED, ids, strict=True)}
    assert {d: t for d, t in polite.items() if STALE not in t} == {}
    assert len(api.callback_answers) == len(FORGED) + 1
    assert buttons["More ▶"].startswith("mo:") and len(texts) == 3
    assert not any("something went wrong" in t for t in texts)
    assert fake_api.rejected == []


async def test_group_settings_buttons_refuse_non_administrators(
    fake_api: FakeBotApi, admin_settings: Settings
) -> None:
    """In a group, a member who is not an administrator cannot press settings buttons."""
    group, member, admin = -400_001, 400_002, 400_003
    fake_api.admins.add((group, admin))
    async with running_bot(fake_api, admin_settings) as api:
        await api.send_text("/settings", chat_id=group, user_id=admin)
        await api.replies(group, 1)
        keyboard = api.messages(group)[0]
        refused = await api.press(keyboard, "st:len/short", user_id=member)
        allowed = await api.press(keyboard, "st:len/long", user_id=admin)
        await api.wait_for(lambda: len(api.callback_answers) == 2)
        await api.send_text("/subscribe tsunami", chat_id=group, user_id=member)
        await api.replies(group, 2)
    answers = {a["callback_query_id"]: a.get("text", "") for a in api.callback_answers}
    assert "Only the group's administrators" in answers[refused]
    assert answers[allowed] == "Saved."
    assert "Only the group's administrators" in api.messages(group)[1]["text"]
    assert fake_api.rejected == []


async def test_inline_queries_with_bad_input_are_answered(
    fake_api: FakeBotApi, admin_settings: Settings
) -> None:
    """Inline queries with any of the bad inputs get an answer the Bot API accepts."""
    queries = ["", LONG[:256], CONTROL, INVISIBLE, EMOJI, MARKUP, FTS, SQL, "tsu\ud800nami"]
    async with running_bot(fake_api, admin_settings) as api:
        ids = [await api.inline(query, user_id=800_000 + n) for n, query in enumerate(queries)]
        await api.wait_for(lambda: len(api.inline_answers) == len(queries))
        await api.send_text("/help", chat_id=800_100)
        await api.replies(800_100, 1)
    answers = {a["inline_query_id"]: a["results"] for a in api.inline_answers}
    assert set(answers) == set(ids)
    assert answers[ids[0]] and answers[ids[4]]  # empty query: the latest; emoji: tsunami
    assert fake_api.rejected == []
