"""What the benchmark scripts share: ../shared/eval and its articles, the bot as a process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.models import Article

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
ROWS_ENV = "NEWSBOT_TABLE_ROWS"  # set by benchmarks/report.py: where table rows go
POINTS_ENV = "NEWSBOT_PLOT_POINTS"  # ... and where points of its plots go


def eval_file(name: str) -> Path | None:
    """The path of an evaluation file, or None (with a message) when it is absent."""
    path = EVAL_DIR / name
    if not path.is_file():
        print(f"skipped: {path} is not present (the eval sets live beside the repository)")
        return None
    return path


def read_articles(path: Path, limit: int | None = None) -> list[Article]:
    """Single-document records as Articles (English, as the eval sets are)."""
    articles: list[Article] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                break
            record = json.loads(line)
            title = record.get("title") or ""
            articles.append(Article(title=title, text=record["text"], source="eval", id=number))
    return articles


def table_row(what: str, figure: str, target: str = "—", met: bool | None = None) -> None:
    """One row of docs/performance.md's table, kept when `benchmarks/report.py` runs this.

    The report names the file to append to in NEWSBOT_TABLE_ROWS; run by hand, nothing is
    written. `met` adds "met" or "**missed**" to the target (None: no target).
    """
    path = os.environ.get(ROWS_ENV)
    if not path:
        return
    if met is not None:
        target = f"{target}: {'met' if met else '**missed**'}"
    with open(path, "a", encoding="utf-8") as rows:
        rows.write(json.dumps({"what": what, "figure": figure, "target": target}) + "\n")


def plot_point(plot: str, series: str, x: float | str, y: float, error: float = 0.0) -> None:
    """One point of a plot in docs/performance.md, kept when `benchmarks/report.py` runs this.

    `plot` names the figure (see benchmarks/plots.py), `series` the line or bar group; `x` is
    a number, or a category name for bar charts; `error` an error bar (a standard error).
    """
    path = os.environ.get(POINTS_ENV)
    if not path:
        return
    point = {"plot": plot, "series": series, "x": x, "y": y, "error": error}
    with open(path, "a", encoding="utf-8") as points:
        points.write(json.dumps(point) + "\n")


def exit_code(ok: bool) -> int:
    """0 when every target was met, else 1 (printed figures say which)."""
    sys.stdout.flush()
    return 0 if ok else 1


def start_bot_process(api_url: str, database_url: str, **settings: str) -> subprocess.Popen[bytes]:
    """`python -m bot run` polling the fake Bot API at `api_url`; nothing else is contacted.

    DEFAULT_FEEDS and LOAD_SAMPLE are off, digests too; `settings` adds environment variables.
    """
    from tests.fakes import TOKEN

    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": database_url,
        "DEFAULT_FEEDS": "false",
        "LOAD_SAMPLE": "false",
        "LOG_LEVEL": "WARNING",
        "DIGEST_TICK_SECONDS": "0",
        **settings,
    }
    command = [sys.executable, "-m", "bot", "run"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)


async def stop_bot_process(bot: subprocess.Popen[bytes]) -> None:
    """Stop the bot as Ctrl-C would (killed if it does not stop within 30 s).

    The wait runs on a thread: the fake Bot API in this event loop must keep answering.
    """
    bot.send_signal(signal.SIGINT)
    try:
        await asyncio.to_thread(bot.wait, 30)
    except subprocess.TimeoutExpired:
        bot.kill()
        await asyncio.to_thread(bot.wait)


def child_pids(pid: int | str = "self") -> list[int]:
    """The live child processes of a process (Linux /proc; none elsewhere)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:
            continue
    return found


def cpu_of(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_mb(pid: int) -> float:
    """RSS of a process's live children (summary workers, multiprocessing's resource
    tracker), in MB."""
    total = 0.0
    for child in child_pids(pid):
        try:
            total += memory_mb(child, "VmRSS")
        except OSError:
            continue
    return total


def start_bare_bot(api_url: str) -> subprocess.Popen[bytes]:
    """`bare_bot.py`, the floor, polling the fake Bot API at `api_url`."""
    from tests.fakes import TOKEN

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url}
    command = [sys.executable, str(Path(__file__).with_name("bare_bot.py"))]
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)


def memory_mb(pid: int, field: str) -> float:
    """A memory field of /proc/<pid>/status (VmRSS: now, VmHWM: peak), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0
