"""bot.usecases.digest.compose: filters, muted sources, the delivery log, stories, bounds."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Article, ChatSettings, Subscription, utcnow
from bot.store import Store
from bot.summarize import Summarizer
from bot.usecases.digest.compose import Digest, DigestLimits, compose_digest, matches
from tests.conftest import make_article

CHAT = 77
VOLCANO = (
    "The volcano on the northern island erupted early on Monday morning.\n"
    "Ash clouds rose five kilometres and flights to the island were cancelled.\n"
    "Scientists said the eruption could continue for several days.\n"
    "About two thousand residents left their homes near the crater."
)
HARBOUR = (
    "A volcano warning closed the southern harbour to fishing boats on Tuesday.\n"
    "Harbour officials said the boats would stay in port until the wind turned.\n"
    "Police closed the coastal road to all traffic.\n"
    "Fishermen said they lost a week of income."
)


def _variant(number: int) -> str:
    """A volcano report unlike the others (so it is its own story)."""
    words = ["granite", "basalt", "obsidian", "pumice", "tephra", "magma", "lava", "scoria"]
    word = words[number % len(words)]
    return (
        f"Report {number}: the volcano threw {word} over village {number}.\n"
        f"Farmers in village {number} counted {number * 3} damaged {word} roofs.\n"
        f"The mayor of village {number} asked for {word} clearing machines."
    )


async def _add(store: Store, article: Article) -> int:
    """Store an article; its id."""
    return (await store.add_article(article)).article_id


async def _digest(
    store: Store, settings: ChatSettings | None = None, limits: DigestLimits | None = None
) -> Digest:
    settings = settings or ChatSettings(CHAT)
    return await compose_digest(store, Summarizer(), settings, limits=limits)


def _titles(digest: Digest) -> list[str]:
    return [item.article.title for _, s in digest.sections for item in s.items]


def test_word_filters_are_plain_whole_words() -> None:
    article = make_article("Police close the C++ road", "Ice on the A.B road; new-york style")
    assert matches(article, Subscription(1, "x", must=("POLICE", "road")))
    assert not matches(article, Subscription(1, "x", must=("ice cream",)))
    assert matches(article, Subscription(1, "x", must=("ab road",))) is False
    assert matches(article, Subscription(1, "x", must=("c++",)))  # just the word "c"
    assert not matches(article, Subscription(1, "x", must_not=("ice",)))
    assert matches(article, Subscription(1, "x", must_not=("polic", ".*")))  # no partial/regex
    assert matches(article, Subscription(1, "x", must=("new york",)))  # a phrase


async def test_filters_muted_sources_and_delivered(store: Store) -> None:
    keep = await _add(store, make_article("Volcano erupts", VOLCANO, source="Island Times"))
    await _add(store, make_article("Volcano closes harbour", HARBOUR, source="Coast Radio"))
    muted = await _add(
        store, make_article("Volcano ash", _variant(1), source="NOISY wire", url="https://n/1")
    )
    sent = await _add(store, make_article("Volcano roofs", _variant(2), source="Island Times"))
    await store.record_delivery(CHAT, [sent], message_id=1)
    await store.subscribe(Subscription(CHAT, "volcano", must_not=("police",)))
    settings = ChatSettings(CHAT, muted_sources=("Noisy Wire",))
    digest = await _digest(store, settings)
    assert digest.article_ids == [keep]
    assert muted not in digest.article_ids
    assert _titles(digest) == ["Volcano erupts"]


async def test_only_the_window_of_news(store: Store) -> None:
    """Published or fetched lately: a new subscription gets the week before it, an old one 14
    days; an old article fetched just now is new here."""
    now = utcnow()

    def dated(title: str, text: str, days: int, fetched_days: int | None = None) -> Article:
        when, fetched = (
            now - timedelta(days=days),
            now - timedelta(days=days if fetched_days is None else fetched_days),
        )
        return make_article(title, text, published=when, fetched=fetched, url=f"https://v/{days}")

    recent = await _add(store, dated("Volcano now", VOLCANO, 1))
    ten = await _add(store, dated("Volcano last week", HARBOUR, 10))
    await _add(store, dated("Volcano last month", _variant(1), 30))
    museum = (
        "The volcano museum reopened its doors after a long restoration.\n"
        "Visitors can walk through a model of the crater and touch old lava."
    )
    arrived = await _add(store, dated("Old volcano, new here", museum, 40, fetched_days=0))
    await store.subscribe(Subscription(CHAT, "volcano", created=now))
    await store.subscribe(Subscription(CHAT + 1, "volcano", created=now - timedelta(days=60)))
    assert sorted((await _digest(store)).article_ids) == [recent, arrived]
    old_subscriber = await _digest(store, ChatSettings(CHAT + 1))
    assert sorted(old_subscriber.article_ids) == [recent, ten, arrived]


async def test_a_new_article_ranked_below_many_sent_ones_still_gets_in(store: Store) -> None:
    """The 40 best matches went out already: the digest asks for more and finds the new one."""
    sent = [
        await _add(store, make_article(f"Volcano {n}", _variant(n), url=f"https://v/{n}"))
        for n in range(40)
    ]
    await store.record_delivery(CHAT, sent, message_id=1)
    weak = await _add(store, make_article("Harbour closed", HARBOUR))  # "volcano" once, in the body
    await store.subscribe(Subscription(CHAT, "volcano"))
    best = await store.search("volcano", limit=40)
    assert weak not in [a.id for a in best]  # it ranks below every one that was sent
    assert (await _digest(store)).article_ids == [weak]


async def test_copies_of_a_story_are_one_item_with_its_sources(store: Store) -> None:
    first = await _add(store, make_article("Volcano erupts", VOLCANO, source="Island Times"))
    copy = VOLCANO + "\nSubscribe to our newsletter for more."
    second = await _add(store, make_article("Eruption on the island", copy, source="Wire"))
    other = await _add(store, make_article("Volcano closes harbour", HARBOUR))
    await store.subscribe(Subscription(CHAT, "volcano"))
    digest = await _digest(store, ChatSettings(CHAT, length="short"))
    [(topic, summary)] = digest.sections
    assert topic == "volcano" and digest.stories == 2
    story = next(item for item in summary.items if item.also)
    assert {story.article.id, *(a.id for a in story.also)} == {first, second}
    assert all(len(item.sentences) == 1 for item in summary.items)  # "short": one sentence
    assert sorted(digest.article_ids) == sorted([first, second, other])


async def test_bounded_and_shared_across_topics(store: Store) -> None:
    for number in range(12):
        await _add(store, make_article(f"Volcano village {number}", _variant(number)))
    await _add(store, make_article("Harbour closed", HARBOUR.replace("volcano", "storm")))
    await store.subscribe(Subscription(CHAT, "volcano"))
    await store.subscribe(Subscription(CHAT, "harbour"))
    digest = await _digest(store, limits=DigestLimits(stories=5))
    assert digest.stories == 5
    assert [topic for topic, _ in digest.sections] == ["volcano", "harbour"]  # not crowded out
    small = await _digest(store, limits=DigestLimits(stories=10, chars=500))
    assert small.stories == 2  # one each round, then the text budget is spent


async def test_no_subscriptions_or_nothing_new_is_empty(store: Store) -> None:
    assert (await _digest(store)).sections == []
    article = await _add(store, make_article("Volcano erupts", VOLCANO))
    await store.subscribe(Subscription(CHAT, "volcano"))
    await store.record_delivery(CHAT, [article], message_id=3)
    assert (await _digest(store)).sections == []
