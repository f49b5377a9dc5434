"""Tests for the report's two forms and the `newsbot eval` command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.evaluate import MethodResult, Report, as_json, table
from bot.evaluate.command import run
from bot.evaluate.datasets import DatasetError
from tests.evaluate.data import MULTI, SINGLE, write

REPORT = Report(
    dataset="toy.jsonl",
    kind="multi",
    items=2,
    length="250 words",
    default="topic",
    results={
        "topic": MethodResult(44.123, 15.0, 40.0, 12.345, 0.5, 99.0),
        "lead": MethodResult(42.0, 13.5, 38.7, 2.0, 1.1, 100.0),
    },
    notes=("kl reads only the first 60 sentences",),
)


def test_table_marks_the_default_and_shows_multi_columns() -> None:
    """A header, one row per method (default starred), the extra columns, the notes."""
    lines = table(REPORT).splitlines()
    assert lines[0].startswith("toy.jsonl: 2 article clusters, 250 words")
    assert "redund.%" in lines[1] and "cover.%" in lines[1]
    row = ["topic", "*", "44.1", "0.0", "15.0", "40.0", "12.3", "0.5", "99.0"]  # 0.0: R-1 SE
    assert lines[2].split() == row
    assert lines[3].split()[0] == "lead"
    assert lines[-1] == "note: kl reads only the first 60 sentences"


def test_json_has_the_documented_shape() -> None:
    """dataset, items, default, results: rouge1/rouge2/rougeLsum/ms (+ multi extras), rounded."""
    document = json.loads(as_json(REPORT))
    assert list(document) == ["dataset", "items", "default", "results"]
    assert document["results"]["topic"] == {
        "rouge1": 44.12,
        "rouge1_se": 0.0,
        "rouge2": 15.0,
        "rougeLsum": 40.0,
        "ms": 12.35,
        "redundancy": 0.5,
        "coverage": 99.0,
    }


def _args(dataset: Path, **options: object) -> argparse.Namespace:
    """The namespace `newsbot eval` parses into."""
    values: dict[str, object] = {
        "dataset": str(dataset),
        "sentences": 3,
        "words": 250,
        "limit": None,
        "methods": None,
        "json": False,
    }
    return argparse.Namespace(**(values | options))


def test_command_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one JSON object for the chosen methods."""
    path = write(tmp_path / "m.jsonl", MULTI)
    assert run(_args(path, json=True, methods="topic, lead", words=40)) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["dataset"], document["items"], document["default"]) == ("m.jsonl", 1, "topic")
    assert list(document["results"]) == ["topic", "lead"]


def test_command_refuses_zero_counts(tmp_path: Path) -> None:
    """--limit 0 (or --sentences/--words 0) is an error, not an empty report."""
    with pytest.raises(DatasetError, match="--limit"):
        run(_args(tmp_path / "x.jsonl", limit=0))


def test_newsbot_eval_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`newsbot eval` prints the table; a bad path is one line on stderr and exit code 1."""
    path = write(tmp_path / "s.jsonl", SINGLE)
    env = str(tmp_path / "none.env")
    assert (
        main(["--env-file", env, "eval", str(path), "--methods", "lead", "--sentences", "1"]) == 0
    )
    assert "lead *" not in capsys.readouterr().out
    assert main(["--env-file", env, "eval", str(tmp_path / "absent.jsonl")]) == 1
    assert "no dataset at" in capsys.readouterr().err
