"""Tests for sentence vectors: content terms, counts, tf-idf rows and cosines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.summarize import make_stemmer, stop_words
from bot.summarize.vectors import (
    content_terms,
    cosine_matrix,
    count_matrix,
    idf_weights,
    normalize_rows,
    sorted_unique,
    tfidf,
    vocabulary,
)


def test_content_terms_are_stemmed_without_stop_words() -> None:
    """Stop words and one-letter words go; the rest is lower-cased and stemmed."""
    terms = content_terms(
        ["The", "Councils", "a", "were", "Voting", "x"], make_stemmer("en"), stop_words("en")
    )
    assert terms == ("council", "vote")


def test_single_cjk_characters_are_terms() -> None:
    """A Chinese ideograph is a word of its own, so the one-letter rule spares it."""
    assert content_terms(["北", "京", "的"], make_stemmer("zh"), stop_words("zh")) == ("北", "京")


def test_count_matrix_counts_and_ignores_unknown_terms() -> None:
    """Repeated terms add up; terms outside the vocabulary are skipped."""
    columns = vocabulary([("bus", "tram", "bus")])
    counts = count_matrix([("bus", "tram", "bus"), ("metro",)], columns).toarray()
    assert columns == {"bus": 0, "tram": 1}
    assert counts.tolist() == [[2.0, 1.0], [0.0, 0.0]]


def test_idf_favours_rare_terms() -> None:
    """A term in every row weighs less than a term in one row."""
    rows = [("bus", "tram"), ("bus",), ("bus",)]
    idf = idf_weights(count_matrix(rows, vocabulary(rows)))
    assert idf[0] == pytest.approx(1.0)
    assert idf[1] > idf[0]


def test_tfidf_rows_are_unit_length_and_empty_rows_stay_zero() -> None:
    """Every non-empty row has length 1; an empty row is all zeros."""
    rows = [("bus", "tram"), (), ("bus",)]
    matrix = tfidf(count_matrix(rows, vocabulary(rows))).toarray()
    assert np.linalg.norm(matrix, axis=1) == pytest.approx([1.0, 0.0, 1.0])


def test_cosines_of_identical_and_disjoint_rows() -> None:
    """Identical rows have cosine 1, rows with no shared term 0, and the matrix is symmetric."""
    rows = [("bus", "tram"), ("bus", "tram"), ("metro",)]
    cosines = cosine_matrix(normalize_rows(count_matrix(rows, vocabulary(rows))))
    assert cosines[0, 1] == pytest.approx(1.0)
    assert cosines[0, 2] == 0.0
    assert np.allclose(cosines, cosines.T)


@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=200))
def test_sorted_unique_is_numpys_unique(values: list[int]) -> None:
    array = np.asarray(values, dtype=np.int64)
    assert np.array_equal(sorted_unique(array), np.unique(array))
