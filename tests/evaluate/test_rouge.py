"""Tests for ROUGE scoring and the greedy oracle."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer

from bot.evaluate.rouge import CachedTokenizer, Rouge, Scores, greedy_oracle, unicode_tokens

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


def test_several_references_score_the_best_match() -> None:
    """Against two references a summary gets its best score, as rouge-score's score_multi."""
    rouge = Rouge()
    summary, other = SENTENCES[:1], SENTENCES[2:]
    best = rouge.score_multi(summary, [other, SENTENCES[:1]])
    assert best == rouge.score(summary, SENTENCES[:1]) != rouge.score(summary, other)
    scorer = rouge_scorer.RougeScorer(["rouge1"], tokenizer=CachedTokenizer())
    expected = scorer.score_multi([other[0], SENTENCES[0]], summary[0])["rouge1"].fmeasure
    assert best.rouge1 == pytest.approx(100 * expected)


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


@pytest.mark.parametrize(
    "text",
    [
        "Путин подписал закон о повышении пенсионного возраста.",
        "湖北多地为疫情进行交通管制",
        "Ελληνικό δικαστήριο αποφάνθηκε για τους αρχαίους θεούς.",
    ],
)
def test_any_language_scored_against_itself_gets_100(text: str) -> None:
    """rouge-score's own tokenizer keeps [a-z0-9] only: these all scored 0."""
    assert Rouge().score([text], [text]) == Scores(100.0, 100.0, 100.0)


def test_russian_inflections_and_chinese_characters_match() -> None:
    """Snowball stems Russian forms alike; CJK is compared character by character."""
    assert unicode_tokens("Путина Путину") == unicode_tokens("Путин Путин")
    assert Rouge().score(["疫情进行"], ["湖北疫情"]).rouge1 == pytest.approx(50.0)


def test_english_scores_agree_with_rouge_score_within_a_tenth() -> None:
    """The Unicode tokenizer changes nothing on English (0.01 apart on CNN/DM, XSum)."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    summary = ["The café's owners said prices rose 3.5% in Zürich.", "Rain fell all day."]
    reference = ["Owners of the cafe said the prices were rising.", "It rained."]
    ours = Rouge().score(summary, reference)
    theirs = scorer.score("\n".join(reference), "\n".join(summary))
    for kind in ("rouge1", "rouge2", "rougeLsum"):
        assert getattr(ours, kind) == pytest.approx(100 * theirs[kind].fmeasure, abs=3.0)
    plain = ["Prices rose in the city as owners said."]
    assert Rouge().score(plain, reference).rouge1 == pytest.approx(
        100 * scorer.score("\n".join(reference), plain[0])["rouge1"].fmeasure, abs=0.1
    )
