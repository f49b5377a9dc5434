"""The two faces of an evaluation report: an aligned text table and one JSON object."""

from __future__ import annotations

import json
from typing import Any

from bot.evaluate.harness import MethodResult, Report


def _row(name: str, result: MethodResult, default: str, multi: bool) -> str:
    """One table row."""
    label = f"{name} *" if name == default else name
    cells = f"{label:<12}{result.rouge1:>7.1f}{result.rouge1_se:>6.1f}{result.rouge2:>7.1f}"
    cells += f"{result.rougeLsum:>8.1f}"
    cells += f"{result.ms:>10.1f}"
    if multi:
        cells += f"{result.redundancy or 0.0:>11.1f}{result.coverage or 0.0:>10.1f}"
    return cells


def table(report: Report) -> str:
    """The report as a fixed-width table with a header and notes."""
    multi = report.kind == "multi"
    kind = "article clusters" if multi else "articles"
    lines = [
        f"{report.dataset}: {report.items} {kind}, {report.length}; "
        "ROUGE F1 × 100 (rouge-score, Porter stemming, Lsum one sentence per line)",
        f"{'method':<12}{'R-1':>7}{'±SE':>6}{'R-2':>7}{'R-Lsum':>8}{'ms/item':>10}"
        + (f"{'redund.%':>11}{'cover.%':>10}" if multi else ""),
    ]
    lines += [_row(n, r, report.default, multi) for n, r in report.results.items()]
    lines.append("* default method")
    if multi:
        lines.append(
            "redund.%: summary sentence pairs with cosine > 0.6; cover.%: input articles quoted"
        )
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines)


def _result(result: MethodResult) -> dict[str, float]:
    """One method's figures, rounded to 2 decimals, multi-document extras when present."""
    figures = {
        "rouge1": result.rouge1,
        "rouge1_se": result.rouge1_se,
        "rouge2": result.rouge2,
        "rougeLsum": result.rougeLsum,
        "ms": result.ms,
    }
    if result.redundancy is not None:
        figures["redundancy"] = result.redundancy
    if result.coverage is not None:
        figures["coverage"] = result.coverage
    return {key: round(value, 2) for key, value in figures.items()}


def as_json(report: Report) -> str:
    """The report as one JSON object: dataset, items, default and per-method results."""
    document: dict[str, Any] = {
        "dataset": report.dataset,
        "items": report.items,
        "default": report.default,
        "results": {name: _result(r) for name, r in report.results.items()},
    }
    return json.dumps(document, ensure_ascii=False)
