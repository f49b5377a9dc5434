"""Runs every benchmark and writes docs/performance.md's table from what they measure.

Run: python benchmarks/report.py [--write] [SCRIPT ...]

Runs each command of COMMANDS one after another (about ten minutes on 2 cores), showing
their output as it comes; each script appends its table rows to a file named in
NEWSBOT_TABLE_ROWS (`common.table_row`). Prints the table in Markdown, headed by the machine
it was measured on; `--write` also puts it into docs/performance.md between the two markers of
`TABLE_START` and `TABLE_END`. Naming scripts (`report.py e2e_load.py speed.py`) runs only
their commands and prints their rows; such a partial table is never written. Exits 1 when a
script failed to report or a target was missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import POINTS_ENV, ROOT, ROWS_ENV

PAGE = ROOT / "docs" / "performance.md"
TABLE_START = "<!-- performance table: written by benchmarks/report.py --write -->"
TABLE_END = "<!-- end of performance table -->"

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("e2e_load.py",),
    ("e2e_load.py", "--rate", "50"),
    ("e2e_load.py", "--rate", "100"),
    ("e2e_load.py", "--rate", "200"),
    ("e2e_load.py", "--rate", "100", "--feeds", "200"),
    ("e2e_load.py", "--no-cache"),
    ("e2e_load.py", "--new-topics", "--baseline"),
    ("e2e_load.py", "--fleet-rate", "30"),
    ("e2e_load.py", "--in-process"),
    ("memory.py",),
    ("speed.py",),
    ("ingest_speed.py",),
    ("ingest_speed.py", "--workers", "0"),
    ("feed_speed.py",),
    ("extraction.py",),
    ("plaintext.py",),
    ("search_scale.py", "--articles", "1000"),
    ("search_scale.py", "--articles", "10000"),
    ("search_scale.py",),
    ("digest_fanout.py",),
    ("flood.py",),
    ("quality.py",),
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table, with the command that printed it."""

    what: str
    figure: str
    target: str
    command: str

    @property
    def missed(self) -> bool:
        """Whether the row's benchmark says its target was missed."""
        return self.target.endswith("**missed**")


def _lines(path: Path) -> list[str]:
    """The lines of a file a benchmark may have written ([] when it wrote none)."""
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run(command: tuple[str, ...]) -> tuple[list[Row], list[dict[str, Any]], int]:
    """Run one benchmark as its own process; its rows, plot points and exit status."""
    shown = " ".join(("python", f"benchmarks/{command[0]}", *command[1:]))
    print(f"\n$ {shown}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        rows_file, points_file = Path(folder) / "rows.jsonl", Path(folder) / "points.jsonl"
        env = {**os.environ, ROWS_ENV: str(rows_file), POINTS_ENV: str(points_file)}
        script = ROOT / "benchmarks" / command[0]
        status = subprocess.run(
            [sys.executable, str(script), *command[1:]], env=env, cwd=ROOT
        ).returncode
        rows = [Row(**json.loads(line), command=f"`{shown}`") for line in _lines(rows_file)]
        points = [json.loads(line) for line in _lines(points_file)]
    return rows, points, status


def yardstick() -> float:
    """Seconds for a fixed loop of plain Python: how fast this machine's cores are."""
    started = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - started


def machine() -> str:
    """One line on what the figures were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() + ", " if names else ""
    return (
        f"{os.cpu_count()} cores ({model}Python {platform.python_version()}); "
        f"`sum(i * i for i in range(10**7))` took {yardstick():.2f} s, a yardstick: on a "
        "machine where it takes twice as long, the times here roughly double"
    )


def table(rows: list[Row], header: str) -> str:
    """The Markdown table, headed by `header`."""
    lines = [header, "", "| what | figure | target | command |", "|---|---|---|---|"]
    lines += [f"| {r.what} | {r.figure} | {r.target} | {r.command} |" for r in rows]
    return "\n".join(lines)


def write_page(text: str) -> None:
    """Replace what lies between the markers of docs/performance.md with `text`."""
    page = PAGE.read_text(encoding="utf-8")
    start, end = page.index(TABLE_START), page.index(TABLE_END)
    PAGE.write_text(f"{page[: start + len(TABLE_START)]}\n{text}\n{page[end:]}", encoding="utf-8")


def plots(points: list[dict[str, Any]]) -> str:
    """The plots drawn into docs/img/, as Markdown images ("" without matplotlib)."""
    try:
        from plots import draw

        drawn = draw(points, PAGE.parent / "img")
    except ImportError:
        print("no plots: matplotlib is missing (./dev install dev,eval,bench)")
        return ""
    return "".join(f"\n\n### {title}\n\n![{title}](img/{name})" for name, title in drawn)


def main() -> int:
    """Run the benchmarks, print (and with --write, store) the table; 0 when all was met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help="put the table into docs/performance.md"
    )
    parser.add_argument("scripts", nargs="*", help="run only these scripts' commands")
    args = parser.parse_args()
    chosen = [c for c in COMMANDS if not args.scripts or c[0] in args.scripts]
    if not chosen:
        parser.error(f"no command runs {', '.join(args.scripts)}")
    rows: list[Row] = []
    points: list[dict[str, Any]] = []
    silent: list[str] = []
    started = time.perf_counter()
    for command in chosen:
        found, plotted, status = run(command)
        rows += found
        points += plotted
        if not found:
            silent.append(f"{' '.join(command)} (exit status {status})")
    seconds = time.perf_counter() - started
    took = f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{seconds:.0f} s"
    today = datetime.now(UTC).date().isoformat()
    header = f"Measured on {today} in {took}, on {machine()}."
    text = table(rows, header)
    print(f"\n{text}")
    for name in silent:
        print(f"no figures from {name}")
    if args.write and not args.scripts:
        write_page(text + plots(points))
        print(f"written into {PAGE}")
    return 1 if silent or any(row.missed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
