"""Tests for topic summaries over many articles: budget, caps, redundancy, sources, languages."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Article
from bot.summarize.hygiene import ends_like_sentence
from bot.summarize.tokenizer import word_count
from bot.summarize.topic import (
    TopicParams,
    concept_matrix,
    cover_select,
    follows_on,
    pick_sentences,
)
from bot.summarize.topic_input import TopicInput, read_articles
from tests.summarize.news import (
    BUDGET,
    CHINESE,
    FLOOD,
    FLOOD_FOLLOW_UP,
    RUSSIAN,
    article,
    repost,
)

FLOOD_ARTICLE = article("Floods force families out", FLOOD, ident=1)
FOLLOW_UP = article("Valley starts clean-up", FLOOD_FOLLOW_UP, ident=2)
BUDGET_ARTICLE = article("Council approves transport budget", BUDGET, ident=3)


def test_every_pick_is_a_sentence_of_its_article() -> None:
    """A pick names its source article and its place there."""
    articles = [FLOOD_ARTICLE, FOLLOW_UP, BUDGET_ARTICLE]
    lines = [FLOOD, FLOOD_FOLLOW_UP, BUDGET]
    chosen = pick_sentences(articles, words=80)
    assert chosen.picks
    for pick in chosen.picks:
        assert lines[pick.article][pick.position] == pick.text


def test_the_word_budget_is_kept() -> None:
    """Sentences are added only while the summary is under budget."""
    chosen = pick_sentences([FLOOD_ARTICLE, FOLLOW_UP, BUDGET_ARTICLE], words=40)
    counts = [len(p.text.split()) for p in chosen.picks]
    assert sum(counts[:-1]) < 40 <= sum(counts)


def test_sentences_are_drawn_across_stories() -> None:
    """With room for several sentences, more than one story is quoted."""
    chosen = pick_sentences([FLOOD_ARTICLE, FOLLOW_UP, BUDGET_ARTICLE], words=120)
    assert len({pick.article for pick in chosen.picks}) >= 2


def test_per_story_cap() -> None:
    """No article gives more than `per_story` sentences and, from 2 up, `extra_per_story`
    more."""
    chosen = pick_sentences([FLOOD_ARTICLE, FOLLOW_UP], words=500, per_story=2)
    assert sorted(pick.article for pick in chosen.picks) == [0, 0, 0, 1, 1, 1]
    exact = TopicParams(extra_per_story=0)
    chosen = pick_sentences([FLOOD_ARTICLE, FOLLOW_UP], words=500, per_story=2, params=exact)
    assert sorted(pick.article for pick in chosen.picks) == [0, 0, 1, 1]
    short = pick_sentences([FLOOD_ARTICLE, FOLLOW_UP], words=500, per_story=1)
    assert sorted(pick.article for pick in short.picks) == [0, 1]  # "short": one a story


def test_chinese_words_are_counted_for_the_budget() -> None:
    """Two ideographs count as a word, so a Chinese answer stops at its budget as an English
    one does (counted by spaces, a Chinese sentence was one word and the budget never bound)."""
    more = ["电动公交车明年开始运营。", "新的有轨电车线路将连接机场。"]
    articles = [
        article("北京公布交通预算", CHINESE, language="zh", ident=3),
        article("公交车", more, language="zh", ident=4),
    ]
    chosen = pick_sentences(articles, words=20, per_story=3)
    words = [word_count(pick.text) for pick in chosen.picks]
    assert sum(words[:-1]) < 20 <= sum(words)
    assert len(chosen.picks) < len(CHINESE) + len(more)


def test_a_repost_is_one_story_and_never_quoted() -> None:
    """The copy joins the original's story; sentences come from the original only."""
    copy = repost(FLOOD_ARTICLE, source="Other Wire", ident=9)
    chosen = pick_sentences([copy, FLOOD_ARTICLE, BUDGET_ARTICLE], words=200)
    assert chosen.stories == ((1, 0), (2,))
    assert {pick.article for pick in chosen.picks} <= {1, 2}


def test_one_story_stops_at_its_grouping_when_its_picks_are_not_wanted() -> None:
    """Asked without one-story picks (the bot shows that article's own summary), copies of
    one article come back grouped with no picks; several stories are chosen as ever."""
    copy = repost(FLOOD_ARTICLE, source="Other Wire", ident=9)
    alone = pick_sentences([copy, FLOOD_ARTICLE], words=200, one_story_picks=False)
    assert alone.stories == ((1, 0),) and alone.picks == ()
    assert pick_sentences([copy, FLOOD_ARTICLE], words=200).picks  # by default: the cover
    several = [copy, FLOOD_ARTICLE, BUDGET_ARTICLE]
    assert pick_sentences(several, words=200, one_story_picks=False) == pick_sentences(
        several, words=200
    )


def test_a_sentence_two_stories_share_is_picked_once() -> None:
    """Redundancy removal: the same sentence in two articles appears once in the summary."""
    shared = "The river rose two metres in six hours after days of heavy rain, officials said."
    follow_up = article("Valley starts clean-up", [*FLOOD_FOLLOW_UP, shared], ident=2)
    chosen = pick_sentences([FLOOD_ARTICLE, follow_up], words=500)
    texts = [pick.text for pick in chosen.picks]
    assert texts.count(shared) <= 1


def test_what_several_stories_report_is_covered_first() -> None:
    """Concepts count once per story that mentions them; pairs two stories share win."""
    articles = [FLOOD_ARTICLE, FOLLOW_UP, BUDGET_ARTICLE]
    data = read_articles(articles, "", 60)
    stories = np.asarray(data.owner, dtype=np.int64)
    holds, weight = concept_matrix(data, stories, 3, TopicParams())
    assert holds.shape[0] == len(data.texts)
    assert set(np.unique(weight)) <= {0.0, 2.0, 3.0}  # one story alone is worth nothing
    assert weight.max() >= 2.0


def test_cover_select_skips_near_copies_and_keeps_caps() -> None:
    """A candidate as close as `repeat` to a pick is never taken; per-story caps hold."""
    articles = [FLOOD_ARTICLE, FOLLOW_UP]
    data = read_articles(articles, "", 60)
    n = len(data.texts)
    holds, weight = concept_matrix(data, np.asarray(data.owner, dtype=np.int64), 2, TopicParams())
    similarity = np.eye(n)
    similarity[0, 1] = similarity[1, 0] = 0.9  # sentence 1 repeats sentence 0
    salience = np.zeros(n)
    salience[0] = 1.0
    chosen = cover_select(holds, weight, salience, similarity, data, 1000, 1, TopicParams())
    assert chosen[0] == 0 and 1 not in chosen
    assert sorted(int(data.owner[i]) for i in chosen) == [0, 1]  # one per story


def test_the_query_pulls_matching_sentences_forward() -> None:
    """Asked about tram lines, the budget story's tram sentence comes before the bus ones."""
    chosen = pick_sentences([BUDGET_ARTICLE], words=15, query="tram lines cost")
    assert "tram" in chosen.picks[0].text


def test_each_story_earns_the_query_once() -> None:
    """The query's concepts count once per story, not once per answer: once the first story
    named the harbour, the second still shows its sentence that names it, not its lead."""
    dock = article(
        "Dock strike ends",
        [
            "Dock workers at the harbour ended their strike, their crews said.",
            "The union thanked the city.",
        ],
        ident=1,
    )
    ships = article(
        "Ships wait outside for a week, crews say",
        ["Ships waited outside for a week, their crews said.", "One ship waited near the harbour."],
        ident=2,
    )
    exact = TopicParams(extra_per_story=0)  # one sentence a story
    chosen = pick_sentences([dock, ships], words=200, per_story=1, query="harbour", params=exact)
    assert [(pick.article, pick.position) for pick in chosen.picks] == [(0, 0), (1, 1)]
    unasked = pick_sentences([dock, ships], words=200, per_story=1, params=exact)
    assert (1, 0) in [(pick.article, pick.position) for pick in unasked.picks]


def test_languages_are_read_with_their_own_pipeline() -> None:
    """Russian sentence splitting keeps "г." and "т.е."; Chinese splits on 。 without crashing."""
    articles = [
        article("Дума утвердила бюджет", RUSSIAN, language="ru"),
        article("北京公布交通预算", CHINESE, language="zh"),
        BUDGET_ARTICLE,
    ]
    data = read_articles(articles, "бюджет budget", 60)
    assert data.texts == [*RUSSIAN, *CHINESE, *BUDGET]
    assert "бюджет" in data.query and "budget" in data.query
    chosen = pick_sentences(articles, words=100)
    assert {pick.article for pick in chosen.picks} == {0, 1, 2}


def test_nothing_to_summarize() -> None:
    """No articles, or only empty ones: no picks, each article its own story."""
    assert pick_sentences([]).picks == ()
    empty = [Article(title="Blank", text=""), Article(title="Blank too", text=" \n ")]
    chosen = pick_sentences(empty)
    assert chosen.picks == ()
    assert chosen.stories == ((0,), (1,))


def test_only_the_budget_stops_the_choice() -> None:
    """With nothing left to cover and no salience, sentences are still taken until the budget:
    a digest's every story gets its summary."""
    data = read_articles([FLOOD_ARTICLE, FOLLOW_UP], "", 60)
    n = len(data.texts)
    holds, weight = concept_matrix(data, np.asarray(data.owner, dtype=np.int64), 2, TopicParams())
    chosen = cover_select(holds, weight * 0.0, np.zeros(n), np.eye(n), data, 1000, 1, TopicParams())
    assert sorted(int(data.owner[i]) for i in chosen) == [0, 1]


_TERMS = st.lists(st.sampled_from("abcdefg"), max_size=6).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    sentences=st.lists(st.tuples(st.integers(0, 2), _TERMS), max_size=12),
    query=st.lists(st.sampled_from("aexyz"), max_size=3),
    unigrams=st.booleans(),
)
def test_concepts_are_the_words_and_neighbouring_pairs_of_each_sentence(
    sentences: list[tuple[int, tuple[str, ...]]], query: list[str], unigrams: bool
) -> None:
    """Against the definition, on any sentences: each concept (a column) is held by the rows
    whose sentence has that pair of neighbouring words (or that word), and is worth the
    stories mentioning it (0 when only one does, of two stories or more), one story more
    when it holds a word of the query. A concept holding a word of the query has, besides,
    a copy per story held by that story's rows, worth that much; it is worth 0 itself."""
    ordered = sorted(sentences, key=lambda pair: pair[0])
    data = TopicInput(
        texts=["x"] * len(ordered),
        terms=[terms for _, terms in ordered],
        owner=np.asarray([story for story, _ in ordered], dtype=np.int64),
        position=np.zeros(len(ordered), dtype=np.int64),
        words=np.ones(len(ordered), dtype=np.int64),
        titles=[],
        query=tuple(sorted(set(query))),
    )
    stories = 3
    holds, weight = concept_matrix(data, data.owner, stories, TopicParams(unigrams=unigrams))
    held_by: dict[tuple[str, ...], set[int]] = {}
    for row, terms in enumerate(data.terms):
        concepts = set(itertools.pairwise(terms)) | ({(t,) for t in terms} if unigrams else set())
        for concept in concepts:
            held_by.setdefault(concept, set()).add(row)
    expected = []
    for held, rows in held_by.items():
        worth = len(told := {int(data.owner[r]) for r in rows}) * (len(told) >= 2)
        if not set(held) & set(query):
            expected.append((tuple(sorted(rows)), worth))
            continue
        expected.append((tuple(sorted(rows)), 0))
        for story in sorted(told):
            own = tuple(sorted(r for r in rows if data.owner[r] == story))
            expected.append((own, worth + stories))
    expected.sort()
    asked = sum(bool(set(held) & set(query)) for held in held_by)
    dense = holds.toarray()
    assert set(np.unique(dense)) <= {0.0, 1.0}
    assert holds.shape == (len(ordered), max(len(held_by), 1) + stories * asked)
    found = sorted(
        (tuple(int(r) for r in np.flatnonzero(dense[:, column])), float(weight[column]))
        for column in range(holds.shape[1])
        if dense[:, column].any()
    )
    assert found == [(rows, float(worth)) for rows, worth in expected]


def test_a_sentence_pointing_back_is_never_a_storys_first() -> None:
    """ "However, he said ..." is shown only after an earlier sentence of its story: alone
    under the headline it reads as a fragment (who is "he"?)."""
    bridge = article(
        "Bridge opens",
        ["The mayor opened the new bridge on Monday.", "However, he said the harbour stays shut."],
        ident=1,
    )
    ships = article("Ships wait", ["Ships waited outside the harbour for a week."], ident=2)
    loose = TopicParams(follow_on=False)
    before = pick_sentences([bridge, ships], words=200, per_story=1, query="harbour", params=loose)
    assert (0, 1) in [(pick.article, pick.position) for pick in before.picks]
    chosen = pick_sentences([bridge, ships], words=200, per_story=1, query="harbour")
    assert [(pick.article, pick.position) for pick in chosen.picks if pick.article == 0] == [(0, 0)]
    both = pick_sentences([bridge, ships], words=200, per_story=2, query="harbour")
    assert sorted(pick.position for pick in both.picks if pick.article == 0) == [0, 1]


def test_follows_on_in_three_languages() -> None:
    """Pronouns and connectives that point back, in English, Russian and Chinese; not words
    that merely start with the same letters, and never an article's first sentence."""
    texts = [
        "Heavy rain fell.",
        "However, the river held.",
        "Он также заявил, что мост откроют.",
        "Темза вышла из берегов.",
        "例如，有专家认为没有必要。",
        "台湾专家认为没有必要。",
        "They left.",
        "称政府已推出措施。",
        "该党希望获得选票。",
        "其实做球迷很有趣。",
    ]
    data = TopicInput(
        texts=texts,
        terms=[() for _ in texts],
        owner=np.zeros(len(texts), dtype=np.int64),
        position=np.arange(len(texts), dtype=np.int64) % 6,
        words=np.ones(len(texts), dtype=np.int64),
        titles=[()],
        query=(),
    )
    expected = [False, True, True, False, True, False, False, True, True, False]
    assert follows_on(data).tolist() == expected


def test_a_line_that_is_no_sentence_is_taken_only_when_no_sentence_is_left() -> None:
    """A headline, label or advertisement the text kept ("Harbour Bridge Ships Wait Mayor
    Opens", "Cheap Harbour Hotels Near The Bridge") holds the shared words but is no sentence:
    it is taken only when the budget outlasts every sentence, as the article summary does."""
    bridge = article(
        "Bridge opens",
        [
            "Harbour Bridge Opening Ships Wait Mayor",
            "The mayor opened the new harbour bridge on Monday.",
            "Traffic was light in the morning.",
        ],
        ident=1,
    )
    ships = article(
        "Ships wait",
        ["Cheap Harbour Hotels Near The Bridge And Ships", "Ships waited at the harbour bridge."],
        ident=2,
    )
    shown = [bridge, ships]
    loose = TopicParams(headings_last=False)
    before = pick_sentences(shown, words=18, per_story=2, query="harbour bridge", params=loose)
    assert any(not pick.text.endswith(".") for pick in before.picks)
    chosen = pick_sentences(shown, words=18, per_story=2, query="harbour bridge")
    assert chosen.picks and all(pick.text.endswith(".") for pick in chosen.picks)
    everything = pick_sentences(shown, words=500, per_story=5, query="harbour bridge")
    ends = [pick.text.endswith(".") for pick in everything.picks]
    assert ends.count(True) == 3 and not ends[-1]  # only the budget stops the choice
    assert ends == sorted(ends, reverse=True)  # every sentence before any other line


def test_what_ends_like_a_sentence() -> None:
    ends = ["Done.", 'He said "no."', "Really?)", "完成。", "Wait…", "(It rained.) "]
    lines = ["2019 American Music Awards", "A Little of Austria", "Stowe, VT", "", "Menu:"]
    assert all(map(ends_like_sentence, ends))
    assert not any(map(ends_like_sentence, lines))


def test_a_place_in_the_query_is_named_by_its_adjective_too() -> None:
    """Search finds "the Ukrainian elections" for "Ukraine election" (`bot.places`); the
    summary then counts the adjective as naming the topic, in English and in Russian."""
    kyiv = article("Vote count", ["The Ukrainian presidential elections ended."], ident=1)
    moscow = article("Рубль", ["Рост российской экономики замедлился."], ident=2, language="ru")
    english = read_articles([kyiv], "Ukraine election", 60)
    assert set(english.terms[0]) & set(english.query) == {"ukrainian", "elect"}
    russian = read_articles([moscow], "экономика России", 60)
    assert {"российск", "экономик"} <= set(russian.terms[0]) & set(russian.query)
    assert read_articles([kyiv], "media", 60).query == ("media",)
