"""Tests for ROUGE scoring and the greedy oracle."""

from __future__ import annotations

import pytest

from bot.evaluate.rouge import CachedTokenizer, Rouge, greedy_oracle

SENTENCES = [
    "The council approved a transport budget on Tuesday.",
    "Forty electric buses will join the fleet.",
    "The weather was sunny all week.",
]


def test_identical_texts_score_100_and_disjoint_texts_0() -> None:
    """F1 × 100 at the two extremes."""
    rouge = Rouge()
    same = rouge.score(SENTENCES[:2], SENTENCES[:2])
    assert (same.rouge1, same.rouge2, same.rougeLsum) == (100.0, 100.0, 100.0)
    apart = rouge.score(["Sunny skies."], ["Electric buses arrive."])
    assert (apart.rouge1, apart.rouge2, apart.rougeLsum) == (0.0, 0.0, 0.0)


def test_stemming_matches_inflections() -> None:
    """Porter stemming: "approves" matches "approved"."""
    score = Rouge().score(["Council approves budget"], ["Council approved budget"])
    assert score.rouge1 == pytest.approx(100.0)


def test_tokenizer_matches_rouge_score() -> None:
    """Lower-cased alphanumeric tokens, words over 3 letters stemmed."""
    assert CachedTokenizer().tokenize("The Councils' buses, 40!") == [
        "the",
        "council",
        "buse",
        "40",
    ]


def test_oracle_picks_what_the_reference_says() -> None:
    """The sentence closest to the reference comes first; unhelpful ones are never added."""
    reference = "Forty electric buses will join the fleet."
    assert greedy_oracle(SENTENCES, reference, count=3) == [SENTENCES[1]]


def test_oracle_stops_at_count_or_words() -> None:
    """At most `count` sentences, and no new sentence once `words` is reached."""
    reference = " ".join(SENTENCES)
    assert len(greedy_oracle(SENTENCES, reference, count=2)) == 2
    assert len(greedy_oracle(SENTENCES, reference, words=5)) == 1
