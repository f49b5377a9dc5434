"""Subscribing, listing, removing; groups and deep links, through the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import Store
from tests.fakes import FakeBotApi

CHAT = 1001
GROUP, ADMIN, MEMBER = -500, 7, 8


async def test_subscribe_with_filters_and_list(bot: FakeBotApi) -> None:
    """/subscribe keeps +must and -mustnot words; /subscriptions lists them with buttons."""
    await bot.send_text("/subscribe football +final -transfer")
    [confirmation] = await bot.replies(CHAT, 1)
    assert "Subscribed to football (+final −transfer)" in confirmation
    assert "daily at 08:00 (UTC)" in confirmation
    await bot.send_text("/subscriptions")
    texts = await bot.replies(CHAT, 2)
    assert "• football (+final −transfer)" in texts[-1]
    assert list(bot.buttons(bot.messages(CHAT)[-1])) == ["✖ football"]


async def test_a_misspelt_topic_is_followed_and_the_spelling_offered(bot: FakeBotApi) -> None:
    """ "tsunmai" is followed as asked (it is the chat's choice), with "tsunami" offered;
    a topic with stored articles gets no such line."""
    await bot.send_text("/subscribe tsunmai")
    [confirmation] = await bot.replies(CHAT, 1)
    assert "Subscribed to tsunmai" in confirmation
    assert "Did you mean /subscribe Tsunami?" in confirmation
    await bot.send_text("/subscribe tsunami")
    assert "Did you mean" not in (await bot.replies(CHAT, 2))[-1]


async def test_a_topic_asked_as_a_question_is_followed_as_the_topic(bot: FakeBotApi) -> None:
    """ "news about volcano" follows "volcano": a digest would search for "news" too."""
    await bot.send_text("/subscribe news about volcano? +lava")
    [confirmation] = await bot.replies(CHAT, 1)
    assert "Subscribed to volcano (+lava)" in confirmation


async def test_same_topic_again_replaces_filters(bot: FakeBotApi) -> None:
    """Subscribing to a followed topic changes its filters instead of adding a second one."""
    await bot.send_text("/subscribe Football +final")
    await bot.replies(CHAT, 1)
    await bot.send_text("/subscribe football -transfer")
    await bot.replies(CHAT, 2)
    await bot.send_text("/subscriptions")
    listing = (await bot.replies(CHAT, 3))[-1]
    assert listing.count("•") == 1
    assert "−transfer" in listing
    assert "+final" not in listing


async def test_remove_button_updates_the_list(bot: FakeBotApi) -> None:
    """Tapping a remove button drops the topic and redraws the list in place."""
    await bot.send_text("/subscribe tsunami")
    await bot.send_text("/subscribe football")
    await bot.replies(CHAT, 2)
    await bot.send_text("/unsubscribe")
    await bot.replies(CHAT, 3)
    listing = bot.messages(CHAT)[-1]
    await bot.press(listing, bot.buttons(listing)["✖ tsunami"])
    await bot.wait_for(lambda: listing.get("edits", 0) == 1)
    assert "tsunami" not in listing["text"]
    assert "football" in listing["text"]
    await bot.press(listing, "un:1")  # the removed one, pressed again from an old message
    await bot.wait_for(lambda: len(bot.callback_answers) == 2)
    assert "expired" in bot.callback_answers[-1]["text"]


async def test_unsubscribe_by_name_and_unknown(bot: FakeBotApi) -> None:
    """/unsubscribe <topic> removes it; an unknown topic gets a clear answer."""
    await bot.send_text("/subscribe tsunami")
    await bot.replies(CHAT, 1)
    await bot.send_text("/unsubscribe TSUNAMI")
    assert "Removed tsunami" in (await bot.replies(CHAT, 2))[-1]
    await bot.send_text("/unsubscribe tsunami")
    assert "You don't follow tsunami" in (await bot.replies(CHAT, 3))[-1]


async def test_subscribe_needs_a_topic(bot: FakeBotApi) -> None:
    """/subscribe with only filters asks for the topic."""
    await bot.send_text("/subscribe +final -transfer")
    assert "Which topic?" in (await bot.replies(CHAT, 1))[0]


async def test_only_group_admins_change_subscriptions(bot: FakeBotApi) -> None:
    """In a group, members are refused and administrators subscribe (/cmd@bot works)."""
    bot.admins.add((GROUP, ADMIN))
    await bot.send_text("/subscribe@newsbot_test_bot football", chat_id=GROUP, user_id=MEMBER)
    assert "Only the group's administrators" in (await bot.replies(GROUP, 1))[0]
    await bot.send_text("/subscribe@newsbot_test_bot football", chat_id=GROUP, user_id=ADMIN)
    assert "Subscribed to football" in (await bot.replies(GROUP, 2))[-1]


@pytest.mark.parametrize("tell", [("old", "new"), ("new", "old"), ("old",), ("new",)])
async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriptions(
    bot: FakeBotApi, store: Store, tell: tuple[str, ...]
) -> None:
    """Whichever of Telegram's two service messages arrives, the subscriptions follow."""
    supergroup = -100_500
    bot.admins.update({(GROUP, ADMIN), (supergroup, ADMIN)})
    await bot.send_text("/subscribe@newsbot_test_bot football", chat_id=GROUP, user_id=ADMIN)
    await bot.replies(GROUP, 1)
    await bot.migrate_group(GROUP, supergroup, tell)
    for _ in range(1000):  # updates are handled concurrently: wait (10 s at most) for the move
        if await store.subscriptions(supergroup):
            break
        await asyncio.sleep(0.01)
    await bot.send_text("/subscriptions@newsbot_test_bot", chat_id=supergroup, user_id=ADMIN)
    [listing] = await bot.replies(supergroup, 1)
    assert "• football" in listing
    await bot.send_text("/subscriptions@newsbot_test_bot", chat_id=GROUP, user_id=ADMIN)
    assert "football" not in (await bot.replies(GROUP, 2))[-1]
    assert len(bot.messages(supergroup)) == 1  # the service messages got no answer


async def test_group_ignores_plain_talk_and_other_bots(bot: FakeBotApi) -> None:
    """In a group, chatter and commands for other bots get no answer."""
    await bot.send_text("hello everyone", chat_id=GROUP, user_id=MEMBER)
    await bot.send_text("/frobnicate@other_bot", chat_id=GROUP, user_id=MEMBER)
    await bot.send_text("/help@newsbot_test_bot", chat_id=GROUP, user_id=MEMBER)
    texts = await bot.replies(GROUP, 1)
    assert len(texts) == 1
    assert "Commands" in texts[0]


async def test_deep_link_subscribes_in_one_tap(bot: FakeBotApi) -> None:
    """t.me/<bot>?start=sub_climate_change subscribes to "climate change"."""
    await bot.send_text("/start sub_climate_change")
    assert "Subscribed to climate change" in (await bot.replies(CHAT, 1))[0]


async def test_digest_now_sends_only_new_stories(bot: FakeBotApi) -> None:
    """/digest sends the followed topic's stories once; the next /digest has nothing new."""
    await bot.send_text("/subscribe football -transfer")
    await bot.replies(CHAT, 1)
    await bot.send_text("/digest")
    digest = (await bot.replies(CHAT, 2))[-1]
    assert "Football final ends in penalties" in digest
    assert "transfer" not in digest.lower()
    for sent in range(3, 10):  # until the first run has released the chat ("on its way")
        await bot.send_text("/digest")
        answer = (await bot.replies(CHAT, sent))[-1]
        if "on its way" not in answer:
            break
        await asyncio.sleep(0.2)
    assert "Nothing new" in answer


async def test_digest_without_subscriptions_says_how_to_subscribe(bot: FakeBotApi) -> None:
    """/digest in a chat that follows nothing explains how to follow a topic."""
    await bot.send_text("/digest")
    assert "You follow no topics yet" in (await bot.replies(CHAT, 1))[0]
