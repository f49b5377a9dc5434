"""Defects found by attacking the bot (issue 15), each through the running bot and fake API.

Every request the bot makes here is also checked against the Bot API spec (the fake_api
fixture fails a test on any violation: empty keyboards, over-long texts, wrong types).
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from tests.conftest import make_article, seed, start_bot, stop_bot
from tests.fakes import FakeBotApi, utf16_len, visible_text

CHAT = 1001
STALE = "This button has expired"
WENT_WRONG = "something went wrong"


async def test_inline_answers_fit_in_one_message(
    fake_api: FakeBotApi, bot_settings: Settings
) -> None:
    """A long article's three sentences (12,418 units seen) are cut to Telegram's 4096."""
    long_sentence = "The harbour committee debated the budget " + "at great length " * 250
    text = ".\n".join(f"{long_sentence} on day {day}" for day in range(5)) + "."
    await seed(bot_settings, [make_article("Harbour budget marathon", text)])
    app = await start_bot(bot_settings.model_copy(update={"summary_sentences": 3}))
    try:
        await fake_api.inline("harbour")
        await fake_api.wait_for(lambda: len(fake_api.inline_answers) == 1)
    finally:
        await stop_bot(app)
    [result] = fake_api.inline_answers[0]["results"]
    shown = visible_text(result["input_message_content"]["message_text"])
    assert 1000 < utf16_len(shown) <= 4096
    assert "Harbour budget marathon" in shown


async def test_forged_callback_ids_get_the_expired_answer(bot: FakeBotApi) -> None:
    """50-digit ids overflowed SQLite: a traceback, "something went wrong", no answer."""
    await bot.send_text("/summary tsunami")
    [summary] = [m for m in await _sent(bot, 1)]
    forged = ["mo:" + "9" * 50 + ":1", "ln:" + "9" * 50 + ":2", "sb:" + "9" * 50]
    ids = [await bot.press(summary, data) for data in forged]
    await bot.wait_for(lambda: len(bot.callback_answers) == len(forged))
    answers = {a["callback_query_id"]: a.get("text", "") for a in bot.callback_answers}
    assert all(STALE in answers[i] for i in ids), answers
    assert not any(WENT_WRONG in m["text"].lower() for m in bot.messages(CHAT))


async def test_no_subscriptions_no_empty_keyboard(bot: FakeBotApi) -> None:
    """/subscriptions and /unsubscribe with nothing to list send no `reply_markup={}`."""
    await bot.send_text("/subscriptions")
    await bot.send_text("/unsubscribe")
    messages = await _sent(bot, 2)
    assert all("reply_markup" not in m for m in messages)
    assert bot.rejected == []


async def test_a_topic_after_a_newline_or_tab_is_read(bot: FakeBotApi) -> None:
    """`/summary\\ntsunami` and `/summary\\ttsunami` answered "Which topic?"."""
    await bot.send_text("/summary\ntsunami")
    await bot.send_text("/summary\ttsunami")
    texts = [m["text"] for m in await _sent(bot, 2)]
    assert all("Tsunami warning lifted" in text for text in texts), texts


async def test_a_deep_link_topic_is_cleaned_like_subscribe(bot: FakeBotApi) -> None:
    """`/start sub_` + U+202E subscribed to an invisible topic; now: which topic?"""
    await bot.send_text("/start sub_\u202e")
    await _sent(bot, 1)
    await bot.send_text("/start sub_climate_\u200bchange")
    texts = [m["text"] for m in await _sent(bot, 2)]
    assert "Which topic?" in texts[0]
    assert "Subscribed to climate change" in texts[1], texts
    await bot.send_text("/subscriptions")
    listing = (await _sent(bot, 3))[-1]["text"]
    assert listing.count("•") == 1 and "\u202e" not in listing


async def test_shorter_on_a_message_too_old_to_edit_comes_as_a_new_message(
    bot: FakeBotApi,
) -> None:
    """Telegram refuses to edit an old message: the answer arrives anew, not as an error."""
    await bot.send_text("/summary football")
    [summary] = await _sent(bot, 1)
    bot.uneditable.add(summary["message_id"])
    await bot.press(summary, bot.buttons(summary)["Shorter"])
    messages = await _sent(bot, 2)
    assert "football" in messages[1]["text"].lower()
    assert WENT_WRONG not in messages[1]["text"].lower()
    assert "Longer" in bot.buttons(messages[1])


async def test_an_anonymous_group_admin_may_change_the_group(bot: FakeBotApi) -> None:
    """A message sent as the group (sender_chat) comes from one of its administrators."""
    group = -5005
    await bot.send_text("/subscribe volcano", chat_id=group, as_group=True)
    [answer] = await _sent(bot, 1, group)
    await bot.send_text("/subscribe harbour", chat_id=group, user_id=77)  # a plain member
    refusal = (await _sent(bot, 2, group))[-1]
    assert "Subscribed to volcano" in answer["text"]
    assert "Only the group's administrators" in refusal["text"]


async def test_a_removed_topic_of_astral_characters_is_answered_within_200_units(
    bot: FakeBotApi,
) -> None:
    """Removed + 150 astral letters was 308 UTF-16 units; answerCallbackQuery allows 200."""
    await bot.send_text("/subscribe " + "𝐚" * 150)
    await _sent(bot, 1)
    await bot.send_text("/subscriptions")
    listing = (await _sent(bot, 2))[-1]
    await bot.press(listing, next(iter(bot.buttons(listing).values())))
    await bot.wait_for(lambda: len(bot.callback_answers) == 1)
    text = bot.callback_answers[0]["text"]
    assert text.startswith("Removed 𝐚") and utf16_len(text) <= 200


async def _sent(api: FakeBotApi, count: int, chat: int = CHAT) -> list[dict[str, Any]]:
    """The first `count` messages sent to `chat`, once there are that many."""
    await api.replies(chat, count)
    return api.messages(chat)[:count]
