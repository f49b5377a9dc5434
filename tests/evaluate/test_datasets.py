"""Tests for reading evaluation datasets in both formats, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluate import DatasetError, load_dataset
from tests.evaluate.data import MULTI, SINGLE, write


def test_single_document_records(tmp_path: Path) -> None:
    """ "text" records are single articles with their title and summary."""
    dataset = load_dataset(write(tmp_path / "single.jsonl", SINGLE))
    assert (dataset.name, dataset.kind, len(dataset.items)) == ("single.jsonl", "single", 2)
    item = dataset.items[1]
    assert item.docs == (SINGLE[1]["text"],)
    assert item.titles == ("Council approves transport budget",)
    assert item.reference == SINGLE[1]["summary"]


def test_multi_document_records(tmp_path: Path) -> None:
    """ "docs" records are clusters; the first summary is the reference."""
    dataset = load_dataset(write(tmp_path / "multi.jsonl", MULTI))
    assert dataset.kind == "multi"
    assert dataset.items[0].docs == tuple(MULTI[0]["docs"])
    assert dataset.items[0].reference == MULTI[0]["summaries"][0]


def test_every_summary_of_a_cluster_is_a_reference(tmp_path: Path) -> None:
    """All non-blank summaries are kept, the first one first."""
    record = {**MULTI[0], "summaries": ["First summary.", " ", "Second summary."]}
    item = load_dataset(write(tmp_path / "multi.jsonl", [record])).items[0]
    assert item.references == ("First summary.", "Second summary.")


def test_limit_and_blank_lines(tmp_path: Path) -> None:
    """`limit` keeps the first items; blank lines are skipped."""
    path = write(tmp_path / "single.jsonl", SINGLE)
    path.write_text("\n" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert [item.id for item in load_dataset(path, limit=1).items] == ["flood"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n", "not JSON"),
        ('["a list"]\n', "expected a JSON object"),
        ('{"id": 1}\n', "needs 'text'"),
        ('{"text": 5, "summary": "s"}\n', "text must be a string"),
        ('{"docs": "one", "summaries": ["s"]}\n', "docs must be a list"),
        ('{"text": "t", "summary": ""}\n', "no records with a reference"),
        ('{"text": "t", "summary": "s"}\n{"docs": ["d"], "summaries": ["s"]}\n', "mixes"),
    ],
)
def test_bad_files_are_explained(tmp_path: Path, content: str, message: str) -> None:
    """Each malformed file raises a DatasetError that says what is wrong."""
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_missing_file(tmp_path: Path) -> None:
    """A path that is not a file is named in the error."""
    with pytest.raises(DatasetError, match="no dataset at"):
        load_dataset(tmp_path / "absent.jsonl")
