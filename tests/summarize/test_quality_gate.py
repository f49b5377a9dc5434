"""CI quality gate: the default summarizers must not fall below Lead on real news.

Runs only where the evaluation sets sit beside the repository (../shared/eval); it reads them
in place and scores a fixed subset with the same harness as `newsbot eval` (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluate import evaluate
from bot.summarize import DEFAULT_METHOD

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
CNNDM = EVAL / "cnndm_dev.jsonl"
MULTINEWS = EVAL / "multinews_test.jsonl"


@pytest.mark.skipif(not CNNDM.is_file(), reason="../shared/eval/cnndm_dev.jsonl is not present")
def test_default_method_is_not_below_lead3_on_cnndm() -> None:
    """On the first 40 CNN/DailyMail dev articles, the default's ROUGE-1 is at least Lead-3's."""
    report = evaluate(CNNDM, sentences=3, limit=40, methods=[DEFAULT_METHOD, "lead"])
    ours, lead = report.results[DEFAULT_METHOD], report.results["lead"]
    assert report.items == 40
    assert ours.rouge1 >= lead.rouge1, (ours, lead)


@pytest.mark.skipif(not MULTINEWS.is_file(), reason="../shared/eval/multinews_test.jsonl absent")
def test_topic_summaries_beat_round_robin_lead_on_multinews() -> None:
    """On 20 Multi-News clusters, topic summaries beat round-robin lead and repeat less."""
    report = evaluate(MULTINEWS, words=250, limit=20, methods=["topic", "lead"])
    ours, lead = report.results["topic"], report.results["lead"]
    assert ours.rouge1 >= lead.rouge1, (ours, lead)
    assert (ours.redundancy or 0.0) <= (lead.redundancy or 0.0), (ours, lead)
