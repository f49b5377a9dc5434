"""Evaluation datasets: JSON Lines of single articles or of article clusters, read in place.

Formats (see ../shared/eval/README.md): a single-document record has "text" and "summary";
a multi-document record has "docs" (a list of article texts) and "summaries" (every one is
scored against, the best match counting, as rouge-score's `score_multi` does). The datasets
belong to their publishers, so they are only ever read from the path the user gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.errors import NewsbotError

Kind = Literal["single", "multi"]


class DatasetError(NewsbotError):
    """An evaluation dataset is missing, unreadable or not in a known format."""


@dataclass(frozen=True, slots=True)
class Item:
    """One evaluation case: one article (single) or several (multi), and the human summary."""

    id: str
    docs: tuple[str, ...]
    titles: tuple[str, ...]
    reference: str  # the first human summary (what the oracle aims at)
    others: tuple[str, ...] = ()  # any further human summaries: scores take the best match

    @property
    def references(self) -> tuple[str, ...]:
        """Every human summary of the item, the first one first."""
        return (self.reference, *self.others)


@dataclass(frozen=True, slots=True)
class Dataset:
    """The items of one file and whether they are single articles or clusters."""

    name: str
    kind: Kind
    items: tuple[Item, ...]


def _text(value: Any, what: str, line: int) -> str:
    """A string field, or a DatasetError naming the line."""
    if not isinstance(value, str):
        raise DatasetError(f"line {line}: {what} must be a string")
    return value


def _texts(value: Any, what: str, line: int) -> tuple[str, ...]:
    """A list-of-strings field, or a DatasetError naming the line."""
    if not isinstance(value, list):
        raise DatasetError(f"line {line}: {what} must be a list of strings")
    return tuple(_text(v, what, line) for v in value)


def parse_record(record: Any, line: int) -> tuple[Kind, Item]:
    """One JSON record as an item, with the format it is in."""
    if not isinstance(record, dict):
        raise DatasetError(f"line {line}: expected a JSON object")
    ident = str(record.get("id", line))
    if "docs" in record:
        docs = _texts(record["docs"], "docs", line)
        titles = _texts(record.get("titles") or [], "titles", line)
        summaries = [
            s for s in _texts(record.get("summaries") or [], "summaries", line) if s.strip()
        ]
        first, others = (summaries[0], tuple(summaries[1:])) if summaries else ("", ())
        return "multi", Item(ident, docs, titles, first, others)
    if "text" in record:
        text = _text(record["text"], "text", line)
        title = _text(record.get("title") or "", "title", line)
        reference = _text(record.get("summary") or "", "summary", line)
        return "single", Item(ident, (text,), (title,), reference)
    raise DatasetError(f"line {line}: a record needs 'text' (one article) or 'docs' (a cluster)")


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    """The non-blank lines of a JSON Lines file, decoded, with their line numbers."""
    with path.open(encoding="utf-8") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                try:
                    yield number, json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from exc


def load_dataset(path: Path, limit: int | None = None) -> Dataset:
    """The first `limit` items (all when None) of a JSON Lines dataset, all of one kind."""
    if not path.is_file():
        raise DatasetError(f"no dataset at {path}")
    kinds: set[Kind] = set()
    items: list[Item] = []
    for number, record in _records(path):
        if limit is not None and len(items) >= limit:
            break
        kind, item = parse_record(record, number)
        kinds.add(kind)
        if item.reference.strip():
            items.append(item)
    if not items:
        raise DatasetError(f"{path} holds no records with a reference summary")
    if len(kinds) > 1:
        raise DatasetError(f"{path} mixes single-article and multi-article records")
    return Dataset(path.name, kinds.pop(), tuple(items))
