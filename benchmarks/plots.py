"""The plots of docs/performance.md, drawn from the points the benchmarks report.

Needs matplotlib (the `bench` extra: `./dev install dev,eval,bench`); benchmarks/report.py
calls `draw` with every point of a run (`common.plot_point`) and links the PNG files it
returns from docs/performance.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CEILING = 30.0  # messages per second Telegram allows a bot (digest fan-out plot)
TITLES = {
    "latency": "`/summary` latency against load (50 users, 10,000 articles)",
    "search": "Topic search latency against store size",
    "fanout": "Digest fan-out against Telegram's 30 messages/s",
    "rouge": "ROUGE-1 per method (± standard error)",
}


def _series(points: Sequence[dict[str, Any]]) -> dict[str, list[tuple[Any, float, float]]]:
    """Points grouped by series, each (x, y, error), numbers sorted by x."""
    grouped: dict[str, list[tuple[Any, float, float]]] = defaultdict(list)
    for point in points:
        grouped[point["series"]].append((point["x"], point["y"], point.get("error", 0.0)))
    for values in grouped.values():
        if all(isinstance(x, int | float) for x, _, _ in values):
            values.sort(key=lambda value: value[0])
    return grouped


def _lines(axes: Any, plot: str, grouped: dict[str, list[tuple[Any, float, float]]]) -> None:
    """Line plots: latency, search and fan-out."""
    for series, values in grouped.items():
        xs, ys = [v[0] for v in values], [v[1] for v in values]
        axes.plot(xs, ys, marker="o", label=series)
    if plot == "latency":
        axes.axhline(500, color="grey", linestyle="--", label="p99 target, 500 ms")
        axes.set(xlabel="commands answered per second", ylabel="reply latency, ms")
        axes.set_yscale("log")
    elif plot == "search":
        axes.set(xlabel="articles in the store", ylabel="search latency, ms")
        axes.set_xscale("log")
        axes.set_yscale("log")
    elif plot == "fanout":
        end = max((v[0] for values in grouped.values() for v in values), default=0)
        axes.plot([0, end], [0, CEILING * end], color="grey", linestyle="--", label="30/s")
        axes.set(xlabel="seconds", ylabel="messages accepted")


def _bars(axes: Any, grouped: dict[str, list[tuple[Any, float, float]]]) -> None:
    """Grouped bars: one group per method, one bar per data set, with error bars."""
    methods: list[str] = []
    for values in grouped.values():
        methods += [str(v[0]) for v in values if str(v[0]) not in methods]
    width = 0.8 / max(len(grouped), 1)
    for number, (series, values) in enumerate(grouped.items()):
        found = {str(v[0]): v for v in values}
        xs = [i + number * width for i, m in enumerate(methods) if m in found]
        ys = [found[m][1] for m in methods if m in found]
        errors = [found[m][2] for m in methods if m in found]
        axes.bar(xs, ys, width, yerr=errors, label=series)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(methods))], methods, rotation=30)
    axes.set(ylabel="ROUGE-1 F1 × 100")


def draw(points: Sequence[dict[str, Any]], folder: Path) -> list[tuple[str, str]]:
    """One PNG per plot into `folder`; (file name, title) of each, in TITLES' order."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    folder.mkdir(parents=True, exist_ok=True)
    drawn = []
    for plot, title in TITLES.items():
        grouped = _series([p for p in points if p["plot"] == plot])
        if not grouped:
            continue
        figure, axes = pyplot.subplots(figsize=(8, 4.5))
        if plot == "rouge":
            _bars(axes, grouped)
        else:
            _lines(axes, plot, grouped)
        axes.set_title(title.replace("`", ""))
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
        figure.tight_layout()
        name = f"{plot}.png"
        figure.savefig(folder / name, dpi=100)
        pyplot.close(figure)
        drawn.append((name, title))
    return drawn
