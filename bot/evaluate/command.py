"""`newsbot eval`: turn the parsed command line into a report on standard output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.evaluate.datasets import DatasetError
from bot.evaluate.harness import evaluate
from bot.evaluate.report import as_json, table


def _positive(value: int | None, option: str) -> None:
    """Refuse a zero or negative count."""
    if value is not None and value < 1:
        raise DatasetError(f"{option} must be at least 1, not {value}")


def run(args: argparse.Namespace) -> int:
    """Evaluate as the arguments say; print a table, or JSON with notes on standard error."""
    if getattr(args, "retrieval", None):
        return _retrieval(args)
    if not args.dataset:
        raise DatasetError("name a dataset (a .jsonl file), or --retrieval QRELS")
    _positive(args.sentences, "--sentences")
    _positive(args.words, "--words")
    _positive(args.limit, "--limit")
    methods = [m.strip() for m in (args.methods or "").split(",") if m.strip()] or None
    report = evaluate(
        Path(args.dataset),
        sentences=args.sentences,
        words=0 if getattr(args, "as_users", False) else args.words,
        limit=args.limit,
        methods=methods,
    )
    if args.json:
        print(as_json(report))
        for note in report.notes:
            print(f"note: {note}", file=sys.stderr)
    else:
        print(table(report))
    return 0


def _retrieval(args: argparse.Namespace) -> int:
    """`newsbot eval --retrieval QRELS`: the bot's topic search against BM25, per language."""
    import asyncio

    from bot.evaluate.retrieval import evaluate_retrieval, table

    results, langs = asyncio.run(evaluate_retrieval(Path(args.retrieval), args.split, args.store))
    print(f"judged queries: {args.retrieval} (split: {args.split}); mean ± standard error")
    print(table(results, langs))
    return 0
