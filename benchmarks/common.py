"""What the benchmark scripts share: where ../shared/eval is, and reading its articles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.models import Article

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


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


def exit_code(ok: bool) -> int:
    """0 when every target was met, else 1 (printed figures say which)."""
    sys.stdout.flush()
    return 0 if ok else 1
