"""Summary quality of every method on the three evaluation sets, for the performance report.

Run: python benchmarks/quality.py   (reads ../shared/eval; about two minutes on 2 cores)

The same harness as `newsbot eval` (ROUGE F1 × 100 against every reference, standard error
over items): CNN/DM dev at 3 sentences, XSum at 1, Multi-News at 250 words. sumy's KL is
left out (its cost grows as n³). Prints each table, and gives benchmarks/report.py one row
per set (the default against the lead) and the points of its ROUGE plot.
"""

from __future__ import annotations

import sys

from common import eval_file, exit_code, plot_point, table_row

from bot.evaluate import evaluate
from bot.evaluate.report import table

SETS = (
    ("cnndm_dev.jsonl", "CNN/DM dev, 3 sentences", {"sentences": 3}),
    ("xsum_test.jsonl", "XSum test, 1 sentence", {"sentences": 1}),
    ("multinews_test.jsonl", "Multi-News test, 250 words", {"words": 250}),
)
SINGLE = ["newslead", "newsrank", "lead", "lexrank", "textrank", "lsa", "luhn", "sumbasic"]
MULTI = ["topic", *SINGLE]


def main() -> int:
    """Evaluate every set that is present; 1 if the default falls below the lead anywhere."""
    ok = True
    for name, label, budget in SETS:
        path = eval_file(name)
        if path is None:
            continue
        methods = MULTI if "words" in budget else SINGLE
        report = evaluate(path, methods=methods, **budget)
        print(table(report), flush=True)
        for method, result in report.results.items():
            plot_point("rouge", label, method, result.rouge1, result.rouge1_se)
        ours, lead = report.results[report.default], report.results["lead"]
        ok &= ours.rouge1 >= lead.rouge1 - 0.3
        table_row(
            f"summary quality, {label}: {report.default} / lead / LexRank (ROUGE-1 ± SE)",
            f"{ours.rouge1:.1f} ± {ours.rouge1_se:.1f} / {lead.rouge1:.1f} / "
            f"{report.results['lexrank'].rouge1:.1f}",
            "not below the lead by more than 0.3",
            ours.rouge1 >= lead.rouge1 - 0.3,
        )
    return exit_code(ok)


if __name__ == "__main__":
    sys.exit(main())
