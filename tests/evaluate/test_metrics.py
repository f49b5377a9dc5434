"""Tests for the multi-document measures: redundancy and coverage."""

from __future__ import annotations

import pytest

from bot.evaluate.metrics import coverage, redundant_pairs

BUS = "Forty electric buses will join the city fleet next year."


def test_a_repeated_sentence_is_a_redundant_pair() -> None:
    """Three sentences make three pairs; one near-copy makes one of them redundant."""
    pairs = redundant_pairs(
        [BUS, "Forty electric buses join the city fleet.", "Trams are late."], "en"
    )
    assert (pairs.pairs, pairs.redundant) == (3, 1)
    assert pairs.share == pytest.approx(100 / 3)


def test_fewer_than_two_sentences_have_no_pairs() -> None:
    """Nothing to compare: share 0."""
    assert redundant_pairs([BUS], "en").share == 0.0


def test_coverage_counts_quoted_articles() -> None:
    """Half of the articles are quoted; a cut-off last sentence still counts as a quote."""
    docs = [f"Intro. {BUS}", "Other news.", "More news about trams and bikes.", "Nothing."]
    assert coverage([BUS, "More news about"], docs) == 50.0
    assert coverage([BUS], []) == 0.0
