"""Tests for NewsRank: its score parts, its ranking, and the summarizer on made-up articles."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bot.summarize import build_summarizer, make_tokenizer
from bot.summarize.document import build_document, parse_paragraphs
from bot.summarize.newsrank import (
    DEFAULT_PARAMS,
    centrality,
    length_penalty,
    newsrank_scores,
    position_prior,
    ranking,
)

PLAIN = replace(DEFAULT_PARAMS, beta=0.0, forward=1.0, backward=0.0)

LEAD = "Flood waters forced hundreds of families from their homes in the river valley on Sunday."
STORY = [
    LEAD,
    "Rescue teams used boats to reach families trapped by the flood waters overnight.",
    "The river rose two metres in six hours after days of heavy rain, officials said.",
    "Emergency shelters in three schools took in the families who lost their homes.",
    "Forecasters expect more rain in the valley until Wednesday.",
    "The regional government promised money to repair homes damaged by the flood.",
]


def _document(lines: list[str], title: str | None = None) -> Any:
    """Lines as a sumy document, one paragraph per line."""
    tokenizer = make_tokenizer("en")
    return build_document(parse_paragraphs("\n".join(lines), tokenizer), tokenizer, title)


def _summary(lines: list[str], count: int | str, title: str | None = None) -> list[str]:
    """NewsRank's picks for the lines."""
    return [str(s) for s in build_summarizer("newsrank", "en")(_document(lines, title), count)]


def test_centrality_rewards_sentences_that_later_ones_elaborate() -> None:
    """A sentence similar to the ones after it scores highest; the scores are scaled to max 1."""
    similarity = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.0], [0.5, 0.0, 1.0]])
    assert centrality(similarity, PLAIN).tolist() == [1.0, 0.0, 0.0]


def test_backward_weight_penalizes_echoes_of_earlier_sentences() -> None:
    """With a negative backward weight, a sentence that repeats earlier ones scores below zero."""
    similarity = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.6], [0.6, 0.6, 1.0]])
    scores = centrality(similarity, replace(PLAIN, backward=-1.0))
    assert scores[2] == pytest.approx(-1.0)
    assert scores[0] == pytest.approx(0.5)


def test_centrality_of_a_single_sentence_is_zero() -> None:
    """One sentence has no edges."""
    assert centrality(np.ones((1, 1)), PLAIN).tolist() == [0.0]


def test_position_prior_decays_from_the_lead() -> None:
    """lead / i^decay, i counted from 1."""
    prior = position_prior(3, replace(DEFAULT_PARAMS, lead=0.75, decay=1.0))
    assert prior == pytest.approx([0.75, 0.375, 0.25])


def test_length_penalty_only_past_the_limit() -> None:
    """No penalty up to `long_words`; one `long_penalty` per `long_words` of excess."""
    params = replace(DEFAULT_PARAMS, long_words=50, long_penalty=1.0)
    assert length_penalty([30, 50, 100, 150], params) == pytest.approx([0.0, 0.0, -1.0, -2.0])


def test_ranking_sends_repeats_to_the_end() -> None:
    """A sentence too close to a better one is ranked after every other sentence."""
    similarity = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.1], [0.1, 0.1, 1.0]])
    assert ranking(np.array([3.0, 2.0, 1.0]), similarity, repeat=0.5) == [0, 2, 1]


def test_headline_lifts_the_sentences_that_share_its_words() -> None:
    """Only sentences with title words gain from the headline."""
    tokenizer = make_tokenizer("en")
    terms = [tuple(w.lower() for w in tokenizer.to_words(line)) for line in STORY]
    plain = newsrank_scores(terms)
    titled = newsrank_scores(terms, headline=("forecast", "rain", "wednesday"))
    gain = titled - plain
    assert gain[4] > 0.0
    assert gain[3] == 0.0


def test_picks_the_requested_count_in_document_order() -> None:
    """Counts and percentages give that many of the article's sentences, in order."""
    for count, expected in ((1, 1), (3, 3), ("50%", 3)):
        picked = _summary(STORY, count)
        assert len(picked) == expected
        assert [STORY.index(s) for s in picked] == sorted(STORY.index(s) for s in picked)
    assert _summary(STORY, 1) == [LEAD]


def test_an_overlong_sentence_is_passed_over() -> None:
    """A 120-word run-on second sentence loses its place to a normal one."""
    run_on = "Officials said " + " and ".join(["the water kept rising in the valley"] * 15) + "."
    picked = _summary([LEAD, run_on, *STORY[1:]], 2)
    assert run_on not in picked
    assert picked[0] == LEAD


def test_a_caption_repeating_the_lead_is_not_picked_with_it() -> None:
    """A photo caption that restates the first sentence does not take a second slot."""
    caption = "Flood waters forced hundreds of families from their homes in the valley on Sunday."
    picked = _summary([LEAD, caption, *STORY[1:]], 3)
    assert LEAD in picked
    assert caption not in picked


def test_an_empty_document_gives_nothing() -> None:
    """No sentences, no summary."""
    assert _summary([], 3) == []
