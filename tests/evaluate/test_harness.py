"""Tests for running systems over a dataset: method lists, systems, averages, budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UnknownMethodError
from bot.evaluate import evaluate, method_names
from bot.evaluate.datasets import Item
from bot.evaluate.systems import Prepared, make_system, truncate_words
from bot.summarize import DEFAULT_METHOD, available_methods
from tests.evaluate.data import MULTI, SINGLE, write
from tests.summarize.news import FLOOD, FLOOD_FOLLOW_UP


def test_method_lists() -> None:
    """Default first, then lead, every registered method, the oracle; clusters add `topic`."""
    single = method_names("single")
    assert single[:2] == [DEFAULT_METHOD, "lead"]
    assert set(single) == {*available_methods(), "oracle"}
    multi = method_names("multi")
    assert multi[:3] == ["topic", "lead", DEFAULT_METHOD]
    assert multi[-1] == "oracle"


def test_method_choice_is_validated() -> None:
    """Aliases resolve, duplicates go, `topic` only applies to clusters."""
    assert method_names("single", ["Lex-Rank", "lexrank", "oracle"]) == ["lexrank", "oracle"]
    with pytest.raises(UnknownMethodError):
        method_names("single", ["topic"])
    with pytest.raises(UnknownMethodError):
        method_names("multi", ["pegasus"])


def test_truncate_words_cuts_the_last_sentence() -> None:
    """Whole sentences until the budget, then the words that still fit."""
    assert truncate_words(["one two three", "four five six", "seven"], 5) == [
        "one two three",
        "four five",
    ]


def test_round_robin_lead_alternates_articles() -> None:
    """First sentence of each article in turn, then the second ones."""
    item = Item("c", ("\n".join(FLOOD), "\n".join(FLOOD_FOLLOW_UP)), (), "reference")
    summary = make_system("lead", "multi", 3, 40)(Prepared(item, "en"))
    assert summary[:2] == [FLOOD[0], FLOOD_FOLLOW_UP[0]]
    assert FLOOD[1].startswith(summary[2])
    assert sum(len(s.split()) for s in summary) == 40


def test_the_answer_scored_is_the_one_users_get() -> None:
    """As /summary answers, a cluster of one story is scored on that article's own summary
    (what the bot shows), a cluster of several on the concept cover; at a word budget,
    always on the cover."""
    from bot.models import Article
    from bot.summarize import Summarizer
    from bot.summarize.topic import pick_sentences

    one = Prepared(Item("c", ("\n".join(FLOOD),), (), "reference"), "en")
    shown = Summarizer().summarize_article(Article(title="", text="\n".join(FLOOD)), 2)
    assert make_system("topic", "multi", 3, 0)(one) == list(shown.sentences)
    cover = pick_sentences([Article(title="", text="\n".join(FLOOD))], words=60)
    assert make_system("topic", "multi", 3, 60)(one) == truncate_words(
        [pick.text for pick in cover.picks], 60
    )
    two = Prepared(Item("c", ("\n".join(FLOOD), "\n".join(FLOOD_FOLLOW_UP)), (), "r"), "en")
    assert len(make_system("topic", "multi", 3, 0)(two)) >= 2


@pytest.mark.parametrize("method", ["lexrank", "newslead", "newsrank"])
def test_joined_method_fills_the_word_budget(method: str) -> None:
    """A registered method on the joined cluster stops at the budget, sentences from both:
    sumy's and ours take a count that picks from the rated sentences (a word budget)."""
    item = Item("c", ("\n".join(FLOOD), "\n".join(FLOOD_FOLLOW_UP)), (), "reference")
    summary = make_system(method, "multi", 3, 60)(Prepared(item, "en"))
    assert sum(len(s.split()) for s in summary) == 60


def test_single_document_evaluation(tmp_path: Path) -> None:
    """Every method is scored; the oracle is at least as good as Lead; times are positive."""
    report = evaluate(write(tmp_path / "s.jsonl", SINGLE), sentences=2)
    assert (report.kind, report.items, report.default) == ("single", 2, DEFAULT_METHOD)
    assert list(report.results) == method_names("single")
    assert report.results["oracle"].rouge1 >= report.results["lead"].rouge1
    assert all(r.ms > 0 and r.redundancy is None for r in report.results.values())
    assert report.notes == (
        "kl reads only the first 60 sentences of each input (its cost grows as n³)",
    )


def test_multi_document_evaluation(tmp_path: Path) -> None:
    """Clusters report redundancy and coverage for every system."""
    path = write(tmp_path / "m.jsonl", MULTI)
    report = evaluate(path, words=30, methods=["topic", "lead", "oracle"])
    assert (report.kind, report.default, report.length) == ("multi", "topic", "30 words")
    assert list(report.results) == ["topic", "lead", "oracle"]
    lead = report.results["lead"]
    assert lead.coverage == 100.0
    assert lead.redundancy == 0.0
    assert report.notes == ()


def test_clusters_are_scored_against_every_reference(tmp_path: Path) -> None:
    """A second summary that matches the output better raises the score: the best one counts."""
    one = write(tmp_path / "one.jsonl", MULTI)
    lead_text = " ".join([FLOOD[0], FLOOD_FOLLOW_UP[0]])
    two = write(
        tmp_path / "two.jsonl", [{**MULTI[0], "summaries": [*MULTI[0]["summaries"], lead_text]}]
    )
    alone = evaluate(one, words=20, methods=["lead"]).results["lead"]
    both = evaluate(two, words=20, methods=["lead"]).results["lead"]
    assert both.rouge1 > alone.rouge1
