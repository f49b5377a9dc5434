"""Topic summaries and their buttons, end to end through the fake Bot API."""

from __future__ import annotations

from bot.config import Settings
from bot.store import open_store
from tests.conftest import make_article, seed, start_bot, stop_bot
from tests.fakes import FakeBotApi

CHAT = 1001


async def test_topic_summary_has_buttons_under_64_bytes(bot: FakeBotApi) -> None:
    """/summary answers with More, Longer/Shorter and Subscribe buttons."""
    await bot.send_text("/summary football")
    await bot.replies(CHAT, 1)
    buttons = bot.buttons(bot.messages(CHAT)[-1])
    assert {"More ▶", "Shorter", "Longer", "🔔 Subscribe to this topic"} <= set(buttons)
    assert all(len(data.encode()) <= 64 for data in buttons.values())


async def test_longer_edits_the_summary_in_place(bot: FakeBotApi) -> None:
    """ "Longer" rewrites the message with more sentences and answers the callback."""
    await bot.send_text("/summary tsunami")
    await bot.replies(CHAT, 1)
    message = bot.messages(CHAT)[-1]
    before = message["text"]
    query_id = await bot.press(message, bot.buttons(message)["Longer"])
    await bot.wait_for(lambda: message.get("edits", 0) == 1)
    assert len(message["text"]) > len(before)
    assert "No damage was reported" in message["text"]
    assert any(a["callback_query_id"] == query_id for a in bot.callback_answers)


async def test_more_when_everything_was_shown(bot: FakeBotApi) -> None:
    """ "More" after the last story says so instead of repeating it."""
    await bot.send_text("/summary tsunami")
    await bot.replies(CHAT, 1)
    message = bot.messages(CHAT)[-1]
    await bot.press(message, bot.buttons(message)["More ▶"])
    texts = await bot.replies(CHAT, 2)
    assert "everything I have" in texts[-1]


async def test_subscribe_button_follows_the_topic(bot: FakeBotApi) -> None:
    """The Subscribe button subscribes the chat to the summary's topic."""
    await bot.send_text("/summary football")
    await bot.replies(CHAT, 1)
    message = bot.messages(CHAT)[-1]
    await bot.press(message, bot.buttons(message)["🔔 Subscribe to this topic"])
    texts = await bot.replies(CHAT, 2)
    assert "Subscribed to football" in texts[-1]


async def test_forged_and_stale_buttons_get_a_polite_answer(bot: FakeBotApi) -> None:
    """Unknown, malformed and outdated callback data is answered, never an error."""
    await bot.send_text("/summary tsunami")
    await bot.replies(CHAT, 1)
    message = bot.messages(CHAT)[-1]
    for data in ("mo:99999:3", "ln:abc", "zz:1", "st:len/huge", "un:424242", "' OR 1=1 --", ""):
        await bot.press(message, data)
    await bot.wait_for(lambda: len(bot.callback_answers) == 7)
    assert all("expired" in a.get("text", "") for a in bot.callback_answers)
    await bot.send_text("/summary tsunami")
    assert "Tsunami warning lifted" in (await bot.replies(CHAT, 2))[-1]


async def test_a_new_article_shows_up_in_the_next_answer(
    fake_api: FakeBotApi, bot_settings: Settings, db_url: str
) -> None:
    """Answers are cached, but an article another process stored meanwhile is in the next one
    once TOPIC_FRESH_SECONDS have passed (here 0; tests/test_news.py covers the bound)."""
    settings = bot_settings.model_copy(update={"topic_fresh_seconds": 0.0})
    await seed(settings)
    app = await start_bot(settings)
    try:
        await fake_api.send_text("/summary volcano")
        first = (await fake_api.replies(CHAT, 1))[-1]
        await seed_articles(db_url, "Volcano erupts near the capital", "Lava reached two villages.")
        await fake_api.send_text("/summary volcano")
        second = (await fake_api.replies(CHAT, 2))[-1]
    finally:
        await stop_bot(app)
    assert "Volcano erupts" not in first
    assert "Volcano erupts near the capital" in second and "Lava reached two villages" in second


async def seed_articles(db_url: str, title: str, text: str) -> None:
    """Store one article through a connection of its own, as `newsbot ingest` would."""
    store = open_store(db_url)
    await store.open()
    await store.add_article(make_article(title, text + " " + "Residents left their homes."))
    await store.close()


async def test_an_answer_is_never_padded_with_articles_off_the_topic(bot: FakeBotApi) -> None:
    """ "football transfer" shows the transfer story only, not the final (no "transfer")."""
    await bot.send_text("/summary football transfer")
    [answer] = await bot.replies(CHAT, 1)
    assert "Football transfer record broken" in answer
    assert "Football final ends in penalties" not in answer


async def test_nothing_about_the_topic_says_so_and_labels_the_closest(bot: FakeBotApi) -> None:
    """No stored article is about "tsunami football": say so; offer the nearest, labelled."""
    await bot.send_text("/summary tsunami football")
    [answer] = await bot.replies(CHAT, 1)
    assert answer.startswith("Nothing stored on tsunami football yet")
    closest = answer.split("Closest, though not about every word of it:", 1)[1]
    assert "Tsunami warning lifted" in closest or "Football" in closest
    assert "📰" not in answer  # not presented as a summary of the topic


async def test_a_misspelt_topic_gets_the_right_spelling_suggested(bot: FakeBotApi) -> None:
    """ "tsunmai" is in no stored article and one edit from "Tsunami" of a headline, which
    has an answer: suggested. "zebra" is near no headline word: nothing suggested."""
    await bot.send_text("/summary tsunmai")
    [answer] = await bot.replies(CHAT, 1)
    assert answer.startswith("Nothing stored on tsunmai yet")
    assert "Did you mean /summary Tsunami?" in answer
    await bot.send_text("/summary zebra")
    answer = (await bot.replies(CHAT, 2))[-1]
    assert "Did you mean" not in answer
    await bot.send_text("/summary tsunmai warnnig liftde")
    answer = (await bot.replies(CHAT, 3))[-1]
    assert "Did you mean /summary Tsunami warning lifted?" in answer
    await bot.send_text("/summary tsunmai warnnig liftde aftr coastl")  # five: too many
    answer = (await bot.replies(CHAT, 4))[-1]
    assert "Did you mean" not in answer


async def test_a_name_typed_in_the_other_script_gets_the_headlines_name_suggested(
    fake_api: FakeBotApi, bot_settings: Settings, db_url: str
) -> None:
    """Stories on Putin are stored in Russian: "Putin" gets «Путин» suggested."""
    await seed(bot_settings)
    await seed_articles(db_url, "Путин подписал закон", "Президент подписал закон о пенсиях.")
    app = await start_bot(bot_settings)
    try:
        await fake_api.send_text("/summary Putin")
        answer = (await fake_api.replies(CHAT, 1))[-1]
    finally:
        await stop_bot(app)
    assert "Did you mean /summary Путин?" in answer


async def test_a_question_is_answered_on_its_topic(bot: FakeBotApi) -> None:
    """ "what's going on with the tsunami?" gets the tsunami answer, headed by the topic."""
    await bot.send_text("/summary tsunami")
    topic = (await bot.replies(CHAT, 1))[-1]
    await bot.send_text("what's going on with the tsunami?")
    asked = (await bot.replies(CHAT, 2))[-1]
    assert asked.startswith("📰 the tsunami") and "Tsunami warning lifted" in asked
    assert asked.split("\n", 1)[1] == topic.split("\n", 1)[1]
