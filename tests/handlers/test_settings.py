"""The /settings keyboard and the time zone command, through the fake Bot API."""

from __future__ import annotations

from tests.fakes import FakeBotApi

CHAT = 1001


async def _settings_message(bot: FakeBotApi, count: int = 1) -> dict[str, object]:
    await bot.send_text("/settings")
    await bot.replies(CHAT, count)
    return bot.messages(CHAT)[-1]


async def test_buttons_change_settings_and_redraw(bot: FakeBotApi) -> None:
    """Each press saves the option, answers the callback and marks the new choice."""
    message = await _settings_message(bot)
    assert "Summary length: normal" in str(message["text"])
    for label, edits in (("short", 1), ("twice", 2), ("21:00", 3), ("quiet 22-7", 4)):
        await bot.press(message, bot.buttons(message)[label])
        await bot.wait_for(lambda n=edits: message.get("edits", 0) == n)  # type: ignore[misc]
    text = str(message["text"])
    assert "Summary length: short" in text
    assert "twice a day, at 21:00 UTC" in text
    assert "Quiet hours: 22:00–07:00" in text
    assert "• short" in bot.buttons(message)
    assert [a["text"] for a in bot.callback_answers] == ["Saved."] * 4


async def test_mute_a_source(bot: FakeBotApi) -> None:
    """A source button mutes the source; pressing again unmutes it."""
    message = await _settings_message(bot)
    await bot.press(message, bot.buttons(message)["🔊 Sport Daily"])
    await bot.wait_for(lambda: message.get("edits", 0) == 1)
    assert "Muted sources: Sport Daily" in str(message["text"])
    await bot.press(message, bot.buttons(message)["🔇 Sport Daily"])
    await bot.wait_for(lambda: message.get("edits", 0) == 2)
    assert "Muted sources: none" in str(message["text"])


async def test_time_zone_by_command(bot: FakeBotApi) -> None:
    """/settings tz sets any IANA zone; a wrong one gets a clear answer."""
    await bot.send_text("/settings tz Europe/Paris")
    assert "at 08:00 Europe/Paris" in (await bot.replies(CHAT, 1))[0]
    await bot.send_text("/settings tz Mars/Olympus")
    assert "is not a time zone" in (await bot.replies(CHAT, 2))[-1]


async def test_settings_persist_across_messages(bot: FakeBotApi) -> None:
    """A later /settings shows what was saved."""
    message = await _settings_message(bot)
    await bot.press(message, bot.buttons(message)["long"])
    await bot.wait_for(lambda: message.get("edits", 0) == 1)
    again = await _settings_message(bot, 2)
    assert "Summary length: long" in str(again["text"])
