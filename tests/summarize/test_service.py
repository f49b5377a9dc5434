"""Tests for the summarization service: texts, articles, topics, sync and async."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time

import pytest

from bot.errors import UnknownMethodError
from bot.models import Article, ArticleSummary, TopicSummary
from bot.summarize import DEFAULT_METHOD, Summarizer, available_methods
from bot.summarize.topic import DEFAULT_TOPIC
from tests.conftest import child_processes
from tests.summarize import news

ENGLISH = [
    "The city council approved a new budget for public transport on Tuesday.",
    "The budget adds forty electric buses and two new tram lines by next year.",
    "Council members argued for hours about the cost of the tram lines.",
    "The mayor said electric buses would cut pollution in the city centre.",
    "Local businesses welcomed the plan but asked for faster construction.",
    "Residents near the new tram lines worry about noise during construction.",
    "The transport authority will publish a detailed timetable in March.",
    "Ticket prices for buses and trams will stay the same until next year.",
    "Work on the first tram line is due to start in the spring.",
    "Opposition members promised to review the spending after the election.",
]
RUSSIAN = [
    "В 2023 г. городская дума утвердила новый бюджет на общественный транспорт.",
    "Бюджет предусматривает закупку сорока электробусов, т.е. половины парка.",
    "Депутаты долго спорили о стоимости новых трамвайных линий.",
    "Мэр заявил, что электробусы снизят загрязнение воздуха в центре города.",
    "Жители опасаются шума во время строительства трамвайных путей.",
]
CHINESE = [
    "北京市政府今天宣布了新的公共交通预算。",
    "预算包括购买四十辆电动公交车和修建两条有轨电车线路。",
    "市长表示电动公交车将减少市中心的空气污染。",
    "一些居民担心施工期间的噪音问题。",
    "交通部门将在三月公布详细的时刻表。",
]


def _article(title: str, lines: list[str], language: str = "en") -> Article:
    """An article whose text has one paragraph per line."""
    return Article(title=title, text="\n".join(lines), language=language)


def test_default_configuration() -> None:
    """The default method is the registry's DEFAULT_METHOD and three sentences."""
    summarizer = Summarizer()
    assert (summarizer.method, summarizer.sentences) == (DEFAULT_METHOD, 3)


def test_empty_text_gives_no_sentences() -> None:
    """Empty or blank text summarizes to nothing."""
    assert Summarizer("lead").summarize_text("") == []
    assert Summarizer("lead").summarize_text(" \n\t\n") == []


def test_lead_returns_the_first_sentences() -> None:
    """Lead-3 of a ten-sentence article is its first three sentences."""
    assert Summarizer("lead").summarize_text("\n".join(ENGLISH), language="en") == ENGLISH[:3]


def test_short_texts_come_back_whole() -> None:
    """A text with no more sentences than asked for is returned entire, fragments included."""
    text = "Storm hits coast. Power is out in 4,000 homes.\nMore soon."
    assert Summarizer(sentences=3).summarize_text(text, method="lexrank") == [
        "Storm hits coast.",
        "Power is out in 4,000 homes.",
        "More soon.",
    ]


@pytest.mark.parametrize("method", available_methods())
def test_every_method_via_the_service(method: str) -> None:
    """Each method returns N of the article's sentences in document order."""
    picked = Summarizer(method).summarize_text(" ".join(ENGLISH), language="en", sentences=4)
    positions = [ENGLISH.index(sentence) for sentence in picked]
    assert len(picked) == 4
    assert positions == sorted(set(positions))


def test_percentage_length() -> None:
    """ "20%" of ten sentences is two."""
    text = "\n".join(ENGLISH)
    assert Summarizer("lead").summarize_text(text, language="en", sentences="20%") == ENGLISH[:2]


def test_title_is_not_glued_to_the_first_sentence() -> None:
    """A title without final punctuation never joins or replaces the first sentence."""
    article = _article("Council approves transport budget", ENGLISH)
    summary = Summarizer("lead").summarize_article(article)
    assert summary == ArticleSummary(article=article, sentences=tuple(ENGLISH[:3]))


def test_a_first_line_repeating_the_title_is_dropped() -> None:
    """Ingested text that starts with its own title does not return the title as a sentence."""
    article = _article("Council Approves Transport Budget", ["COUNCIL APPROVES TRANSPORT BUDGET."])
    article = Article(title=article.title, text=article.text + "\n" + "\n".join(ENGLISH))
    assert Summarizer("lead").summarize_article(article, 2).sentences == tuple(ENGLISH[:2])


def test_all_caps_lines_are_sentences_not_headings() -> None:
    """An ALL-CAPS line is ordinary text (sumy's plain-text parser would drop it as a heading)."""
    lines = ["OFFICIALS CONFIRM THE BRIDGE WILL REOPEN ON MONDAY", *ENGLISH[:4]]
    assert Summarizer("lead").summarize_text("\n".join(lines), language="en") == lines[:3]


def test_lines_without_final_punctuation_are_not_joined() -> None:
    """Each line is its own paragraph, so a dateline is not glued to the next sentence
    (and the dateline itself is not shown: bot.summarize.hygiene)."""
    lines = ["LONDON, March 3 (Reuters) - Officials met today", *ENGLISH[:3]]
    summary = Summarizer("lead", 2).summarize_text("\n".join(lines), language="en")
    assert summary == ["Officials met today", lines[1]]


def test_fragments_are_skipped_when_there_is_better() -> None:
    """Sentences under three words are passed over while longer ones remain."""
    lines = ["Photo: Reuters.", ENGLISH[0], "Updated.", ENGLISH[1], ENGLISH[2], ENGLISH[3]]
    assert Summarizer("lead").summarize_text("\n".join(lines), language="en") == ENGLISH[:3]


def test_fragments_are_kept_when_there_is_nothing_else() -> None:
    """A text made only of fragments still summarizes to something."""
    text = "Breaking.\nUpdated.\nMore soon.\nStay tuned.\nDetails later."
    assert Summarizer("lead", 2).summarize_text(text, language="en") == [
        "Breaking.",
        "Updated.",
    ]


def test_repeated_sentences_are_dropped() -> None:
    """A sentence repeated later in the text appears once."""
    text = "\n".join([ENGLISH[0], ENGLISH[1], ENGLISH[0], ENGLISH[2], ENGLISH[3]])
    assert Summarizer("lead").summarize_text(text, language="en") == ENGLISH[:3]


def test_language_is_detected_when_not_given() -> None:
    """Russian text without a language is split with the Russian model ("г.", "т.е." intact)."""
    assert Summarizer("lead", 2).summarize_text(" ".join(RUSSIAN)) == RUSSIAN[:2]


@pytest.mark.parametrize("method", available_methods())
def test_russian_article_uses_its_language(method: str) -> None:
    """A Russian article summarizes with every method into its own sentences, in order."""
    article = _article("Дума утвердила бюджет", RUSSIAN, language="ru")
    picked = Summarizer(method, 2).summarize_article(article).sentences
    positions = [RUSSIAN.index(sentence) for sentence in picked]
    assert len(picked) == 2
    assert positions == sorted(set(positions))


@pytest.mark.parametrize("method", available_methods())
def test_chinese_with_every_method(method: str) -> None:
    """Chinese text (one paragraph, no spaces) summarizes into its own sentences, in order."""
    picked = Summarizer(method, 3).summarize_text("".join(CHINESE), language="zh")
    positions = [CHINESE.index(sentence) for sentence in picked]
    assert len(picked) == 3
    assert positions == sorted(set(positions))


def test_unknown_method_is_refused_early_and_per_call() -> None:
    """Both the constructor and a per-call method name are validated."""
    with pytest.raises(UnknownMethodError):
        Summarizer("pegasus")
    with pytest.raises(UnknownMethodError):
        Summarizer("lead").summarize_text(" ".join(ENGLISH), method="pegasus")


def test_topic_keeps_the_store_order() -> None:
    """A topic summary has one item per article, in the given order, each of about the asked
    length: its first sentences in order, one more when its short sentences leave room."""
    articles = [
        _article("Дума утвердила бюджет", RUSSIAN, language="ru"),
        _article("Council approves transport budget", ENGLISH),
        _article("北京公布交通预算", CHINESE, language="zh"),
    ]
    topic = Summarizer().summarize_topic("transport budget", articles, sentences_per_article=2)
    assert topic.query == "transport budget"
    assert [item.article for item in topic.items] == articles
    for item, sentences in zip(topic.items, (RUSSIAN, ENGLISH, CHINESE), strict=True):
        positions = [sentences.index(sentence) for sentence in item.sentences]
        assert positions[:2] == [0, 1] and positions == sorted(positions)
        assert len(positions) <= 2 + DEFAULT_TOPIC.extra_per_story


def test_topic_of_no_articles_is_empty() -> None:
    """No articles, no items."""
    assert Summarizer().summarize_topic("nothing", []) == TopicSummary("nothing", ())


async def test_async_wrappers_match_the_sync_methods() -> None:
    """`article` and `topic` give the same results as their sync counterparts."""
    summarizer = Summarizer("textrank", 2)
    articles = [_article("Council approves transport budget", ENGLISH)]
    assert await summarizer.article(articles[0]) == summarizer.summarize_article(articles[0])
    assert await summarizer.topic("budget", articles, 1) == summarizer.summarize_topic(
        "budget", articles, 1
    )


async def test_concurrent_calls_share_one_summarizer_safely() -> None:
    """Many worker threads using one Summarizer get the same answers as a sequential run."""
    summarizer = Summarizer("lexrank", 2)
    articles = [
        _article("Council approves transport budget", ENGLISH),
        _article("Дума утвердила бюджет", RUSSIAN, language="ru"),
        _article("北京公布交通预算", CHINESE, language="zh"),
    ] * 4
    expected = [summarizer.summarize_article(article) for article in articles]
    assert await asyncio.gather(*(summarizer.article(a) for a in articles)) == expected


def test_topic_shows_a_repost_once_with_its_other_source() -> None:
    """Two copies of one story are one item; the copy is listed under `also`."""
    flood = news.article("Floods force families out", news.FLOOD, ident=1)
    copy = news.repost(flood, source="Other Wire", ident=2)
    budget = news.article("Council approves transport budget", news.BUDGET, ident=3)
    topic = Summarizer().summarize_topic("floods", [copy, flood, budget])
    assert [item.article for item in topic.items] == [flood, budget]
    assert topic.items[0].also == (copy,)
    assert topic.articles == 3


def test_topic_sentences_keep_document_order_within_a_story() -> None:
    """Whatever order MMR picked them in, a story's sentences read in document order."""
    flood = news.article("Floods force families out", news.FLOOD, ident=1)
    topic = Summarizer().summarize_topic("floods", [flood], sentences_per_article=4)
    positions = [news.FLOOD.index(s) for s in topic.items[0].sentences]
    assert len(positions) == 4
    assert positions == sorted(positions)


def test_a_topic_of_one_story_is_that_article_s_own_summary() -> None:
    """Covering concepts is for several stories: an answer of one story (one article, or
    copies of it) shows the article's summary by the configured method, as /read does."""
    flood = news.article("Floods force families out", news.FLOOD, ident=1)
    copy = news.repost(flood, source="Other Wire", ident=2)
    summarizer = Summarizer()
    for articles in ([flood], [flood, copy]):
        for length in (1, 2, 3):
            (item,) = summarizer.summarize_topic("rescue boats", articles, length).items
            assert item.sentences == summarizer.summarize_article(flood, length).sentences
    assert summarizer.summarize_topic("rescue boats", [flood]).items[0].sentences == tuple(
        news.FLOOD[:2]
    )  # the default method (newslead) keeps the lead here


def test_topic_stories_left_without_sentences_come_last() -> None:
    """A small word budget tells the first stories; the rest follow with no sentences."""
    articles = [
        news.article("Council approves transport budget", news.BUDGET, ident=3),
        news.article("Floods force families out", news.FLOOD, ident=1),
        news.article("Valley starts clean-up", news.FLOOD_FOLLOW_UP, ident=2),
    ]
    topic = Summarizer().summarize_topic("news", articles, 1, words=5)
    told = [item for item in topic.items if item.sentences]
    assert len(told) == 1
    assert topic.items[0] is told[0]
    assert {item.article.id for item in topic.items} == {1, 2, 3}


async def test_async_topic_passes_the_word_budget() -> None:
    """`topic(..., words=W)` is `summarize_topic(..., words=W)` on a worker thread."""
    summarizer = Summarizer()
    articles = [news.article("Floods force families out", news.FLOOD, ident=1)]
    assert await summarizer.topic("floods", articles, 3, words=20) == summarizer.summarize_topic(
        "floods", articles, 3, words=20
    )


def test_kl_is_capped_to_its_sentence_budget(caplog: pytest.LogCaptureFixture) -> None:
    """KL (n³) reads only the first 60 sentences of a long text, and says so when configured."""
    lines = [
        f"Report number {i} says the river rose by {i} centimetres overnight." for i in range(90)
    ]
    lines[80] = "The flood flood flood water water river river river rose rose overnight overnight."
    with caplog.at_level(logging.INFO, logger="bot.summarize.service"):
        summarizer = Summarizer("kl", 3)
    assert "reads only the first 60 sentences" in caplog.text
    picked = summarizer.summarize_text("\n".join(lines), language="en")
    assert len(picked) == 3
    assert all(lines.index(sentence) < 60 for sentence in picked)


def test_topic_budget_grows_with_the_sentences_asked() -> None:
    """By default every story has room for the sentences asked (from 2 up, one more when they
    are short); asking more gives more."""
    articles = [
        news.article("Floods force families out", news.FLOOD, ident=1),
        news.article("Valley starts clean-up", news.FLOOD_FOLLOW_UP, ident=2),
        news.article("Council approves transport budget", news.BUDGET, ident=3),
    ]
    lengths = {}
    for asked in (1, 2, 3):
        topic = Summarizer().summarize_topic("news", articles, asked)
        told = [len(item.sentences) for item in topic.items]
        extra = DEFAULT_TOPIC.extra_per_story if asked >= 2 else 0
        assert all(asked <= count <= asked + extra for count in told)
        lengths[asked] = sum(len(s.split()) for item in topic.items for s in item.sentences)
    assert lengths[1] < lengths[2] < lengths[3]


def _until_no_children(within: float = 10.0) -> None:
    """Wait until this process has no child processes left (killed ones reaped)."""
    deadline = time.monotonic() + within
    while child_processes() and time.monotonic() < deadline:
        time.sleep(0.05)


async def test_a_topic_summary_process_gives_the_same_answer_and_survives_a_crash() -> None:
    """workers=1: the sentences are chosen in another process, the answer is the thread's;
    when that process dies (killed, out of memory), the answer still comes and a new
    process serves the next topic."""
    articles = [
        _article("Valley floods", news.FLOOD),
        _article("Clean-up begins", news.FLOOD_FOLLOW_UP),
        _article("Council budget", news.BUDGET),
    ]
    expected = Summarizer().summarize_topic("flood valley", articles)
    single = Summarizer().summarize_article(articles[0], 2)
    summarizer = Summarizer(workers=1)
    try:
        await summarizer.warm()
        assert len(child_processes()) == 1  # started by warm(), before any summary
        assert await summarizer.topic("flood valley", articles) == expected
        assert await summarizer.article(articles[0], 2) == single
        pool = summarizer.start_workers()
        for pid in child_processes():  # the seam: the OS kills it
            os.kill(pid, signal.SIGKILL)
        await asyncio.to_thread(_until_no_children)
        assert await summarizer.topic("flood valley", articles) == expected  # on a thread
        assert summarizer.start_workers() is not pool  # a new process for the next one
        assert await summarizer.topic("flood valley", articles) == expected
    finally:
        summarizer.close()
