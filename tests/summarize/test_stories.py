"""Tests for story grouping: copies of one article join, different articles stay apart."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Article
from bot.summarize.stories import article_cosines, group_stories, same_story
from bot.summarize.topic_input import read_articles
from bot.summarize.vectors import cosine_matrix, count_matrix, csr_matrix, tfidf, vocabulary
from tests.summarize.news import BUDGET, FLOOD, FLOOD_FOLLOW_UP, article, repost


def _same(*articles: Article) -> list[list[bool]]:
    """The same-story matrix for the articles, as nested lists."""
    data = read_articles(articles, "", 60)
    counts = count_matrix(data.terms, vocabulary(data.terms))
    matrix = same_story(counts, cosine_matrix(tfidf(counts)), data.owner, len(articles))
    return [[bool(x) for x in row] for row in matrix]


def test_a_repost_joins_its_original() -> None:
    """A trimmed copy with a boilerplate line is the same story."""
    flood = article("Floods force families out", FLOOD)
    assert _same(flood, repost(flood, source="Other", ident=2))[0][1]


def test_a_copy_that_keeps_only_some_sentences_joins() -> None:
    """Most of a short version's sentences in the long one: the same story."""
    long = article("Floods force families out", FLOOD)
    short = article("Valley floods", [*FLOOD[:3], "Photos of the flood were shared widely online."])
    assert _same(long, short)[0][1]


def test_different_stories_on_one_topic_stay_apart() -> None:
    """The flood and its clean-up days later share words but not text."""
    same = _same(article("Floods", FLOOD), article("Clean-up", FLOOD_FOLLOW_UP))
    assert not same[0][1]
    assert _same(article("Floods", FLOOD), article("Budget", BUDGET)) == [
        [True, False],
        [False, True],
    ]


def test_groups_put_the_longest_article_first_in_first_seen_order() -> None:
    """Connected articles form one story, led by the article with most sentences."""
    same = np.array(
        [
            [True, False, True, False],
            [False, True, False, False],
            [True, False, True, True],
            [False, False, True, True],
        ]
    )
    assert group_stories(same, [3, 5, 9, 1]) == [(2, 0, 3), (1,)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.sampled_from("abcdefgh"), max_size=8)),
        min_size=1,
        max_size=15,
    )
)
def test_article_cosines_are_the_sparse_tfidf_cosines(
    sentences: list[tuple[int, list[str]]],
) -> None:
    """The dense whole-article cosines equal `tfidf` and `cosine_matrix` on the articles'
    summed sparse rows (the way they were computed before), for any sentences."""
    ordered = sorted(sentences, key=lambda pair: pair[0])
    terms = [tuple(words) for _, words in ordered]
    owner = np.asarray([a for a, _ in ordered], dtype=np.int64)
    articles = 4
    counts = count_matrix(terms, vocabulary(terms))
    membership = csr_matrix(
        (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(articles, len(owner))
    )
    expected = cosine_matrix(tfidf(csr_matrix(membership @ counts)))
    assert np.allclose(article_cosines(counts, owner, articles), expected, rtol=0, atol=1e-12)
