"""Offline evaluation of the summarizers: `newsbot eval DATASET.jsonl`.

Reads the single- and multi-document JSON Lines formats of ../shared/eval/README.md from the
path given (the texts are never copied into the project) and scores every method against the
human summaries with ROUGE-1/2/Lsum, beside Lead and a greedy oracle.
"""

from __future__ import annotations

from bot.evaluate.datasets import Dataset, DatasetError, Item, load_dataset
from bot.evaluate.harness import MethodResult, Report, evaluate, method_names
from bot.evaluate.report import as_json, table

__all__ = [
    "Dataset",
    "DatasetError",
    "Item",
    "MethodResult",
    "Report",
    "as_json",
    "evaluate",
    "load_dataset",
    "method_names",
    "table",
]
