"""Tests for bot.usecases.digest.render: escaped HTML, credits, packing stories into messages."""

from __future__ import annotations

from bot.models import Article, ArticleSummary, TopicSummary
from bot.transport.text import utf16_len
from bot.usecases.digest.compose import Digest
from bot.usecases.digest.render import render_digest, story_block
from tests.fakes import visible_text


def _story(number: int, sentences: int = 2, **fields: object) -> ArticleSummary:
    values: dict[str, object] = {"source": "Wire", "id": number, **fields}
    article = Article(title=f"Story {number}", text="", **values)  # type: ignore[arg-type]
    said = tuple(f"Sentence {k} of story {number} is here." for k in range(sentences))
    return ArticleSummary(article, said)


def _digest(*sections: tuple[str, list[ArticleSummary]]) -> Digest:
    return Digest(5, [(topic, TopicSummary(topic, tuple(items))) for topic, items in sections])


def test_article_text_is_escaped_and_credited() -> None:
    article = Article(
        title="<b>Budget</b> & tax",
        text="",
        url="https://example.org/a?x=1&y=<2>",
        source="Wikinews",
        id=3,
    )
    also = Article(title="Copy", text="", source="Le <Monde>", id=4)
    item = ArticleSummary(article, ("Tax on tobacco & alcohol rises by 5% <effective>.",), (also,))
    block = story_block(item)
    shown = visible_text(block)  # the fake Bot API's strict parser accepts it
    assert "<b>Budget</b> & tax" in shown
    assert "Tax on tobacco & alcohol rises by 5% <effective>." in shown
    assert "CC BY 2.5" in shown and "creativecommons.org" in block
    assert "Also reported by Le <Monde>" in shown
    assert "/read 3" in shown


def test_messages_hold_whole_stories_and_their_ids() -> None:
    digest = _digest(
        ("volcano", [_story(n, sentences=6) for n in range(1, 9)]),
        ("harbour <&>", [_story(20)]),
    )
    messages = render_digest(digest, limit=900)
    assert len(messages) > 2
    assert all(utf16_len(m.text) <= 900 for m in messages)
    assert messages[0].text.startswith("🗞 <b>Your news digest</b> — 9 new stories on 2 topics")
    ids = [i for m in messages for i in m.article_ids]
    assert ids == [1, 2, 3, 4, 5, 6, 7, 8, 20]
    for message in messages:
        shown = visible_text(message.text)
        for story in message.article_ids:
            assert f"Sentence 0 of story {story} is here." in shown  # the whole story:
            assert f"/read {story}" in shown  # first sentence to last line
    assert "📌 harbour <&>" in visible_text(messages[-1].text)


def test_a_story_longer_than_a_message_is_split_with_ids_on_its_last_part() -> None:
    digest = _digest(("volcano", [_story(1), _story(2, sentences=80), _story(3)]))
    messages = render_digest(digest, limit=1000)
    assert all(utf16_len(m.text) <= 1000 for m in messages)
    parts = [m for m in messages if "of story 2" in m.text]
    assert len(parts) >= 3
    assert [m.article_ids for m in parts[:-1]] == [()] * (len(parts) - 1)
    assert 2 in parts[-1].article_ids
    assert sorted(i for m in messages for i in m.article_ids) == [1, 2, 3]
    for message in messages:
        visible_text(message.text)


def test_an_empty_digest_has_no_messages() -> None:
    assert render_digest(Digest(5, [])) == []
