"""Inline mode through the fake Bot API."""

from __future__ import annotations

from tests.fakes import FakeBotApi, visible_text


async def test_inline_query_offers_story_summaries(bot: FakeBotApi) -> None:
    """`@bot football` answers with up to ten articles, each a valid HTML summary."""
    await bot.inline("football")
    await bot.wait_for(lambda: len(bot.inline_answers) == 1)
    results = bot.inline_answers[0]["results"]
    assert 1 <= len(results) <= 10
    assert all("football" in r["title"].lower() for r in results)
    for result in results:
        visible_text(result["input_message_content"]["message_text"])


async def test_empty_inline_query_offers_latest(bot: FakeBotApi) -> None:
    """An empty inline query offers the newest stories rather than nothing."""
    await bot.inline("")
    await bot.wait_for(lambda: len(bot.inline_answers) == 1)
    assert len(bot.inline_answers[0]["results"]) == 3
