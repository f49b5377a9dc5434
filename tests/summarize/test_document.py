"""Tests for bot.summarize.document: paragraphs of sentences, and splitting once for all."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from bot.summarize.document import parse_paragraphs, split_once
from bot.summarize.tokenizer import make_tokenizer

TEXT = (
    "Markets rallied\n"
    "  Dr. Smith of the U.S. central bank spoke on Monday. Stocks rose!  \r\n"
    "\n"
    '"We are ready," she said... Traders cheered.\u2028Bonds fell. Bonds fell.\n'
    "   \n"
    "Wow!!! Then quiet."
)


def _texts(paragraphs: tuple[tuple[object, ...], ...]) -> list[list[str]]:
    return [[str(sentence) for sentence in paragraph] for paragraph in paragraphs]


def _bundled(language: str) -> list[tuple[str, str]]:
    """(title, text) of the Wikinews sample shipped in one language."""
    source = resources.files("bot") / "data" / f"wikinews_{language}.jsonl"
    records = [json.loads(line) for line in source.read_text("utf-8").splitlines() if line]
    return [(record["title"], record["text"]) for record in records]


def test_paragraphs_split_sentences_drop_the_title_and_repeats() -> None:
    paragraphs = parse_paragraphs(TEXT, make_tokenizer("en"), title="Markets rallied")
    assert _texts(paragraphs) == [
        ["Dr. Smith of the U.S. central bank spoke on Monday.", "Stocks rose!"],
        ['"We are ready," she said... Traders cheered.'],  # "..." ends no sentence here
        ["Bonds fell."],
        ["Wow!!!", "Then quiet."],
    ]


def test_split_once_records_where_the_sentences_are() -> None:
    tokenizer = make_tokenizer("en")
    spans = split_once("One here. Two there.\n  Three.", tokenizer)
    assert spans == "english:0,9,10,20,23,29"


@pytest.mark.parametrize("language", ["en", "ru", "zh"])
def test_stored_spans_give_the_same_paragraphs_as_splitting(language: str) -> None:
    tokenizer = make_tokenizer(language)
    for title, text in [*_bundled(language), ("Markets rallied", TEXT)]:
        spans = split_once(text, tokenizer)
        assert _texts(parse_paragraphs(text, tokenizer, title, spans)) == _texts(
            parse_paragraphs(text, tokenizer, title)
        ), title


@pytest.mark.parametrize(
    "spans",
    [
        "",
        "english:",
        "russian:0,9",  # another splitter's
        "english:0,9,10",  # odd count
        "english:10,9",  # backwards
        "english:0,9,x,20",  # not numbers
        "english:0,9,10,999",  # past the end of the text
        "english:0,15",  # across a line break
        "english:0,9,9,20,21,27",  # a sentence starting with a blank
        "english:0,9,10,20",  # the second line has none: the text grew since
    ],
)
def test_spans_that_do_not_fit_the_text_are_ignored(spans: str) -> None:
    """Spans of another splitter or text, or damaged ones: the text is split afresh."""
    tokenizer = make_tokenizer("en")
    text = "One here. Two there.\nThree."
    fresh = _texts(parse_paragraphs(text, tokenizer))
    assert fresh == [["One here.", "Two there."], ["Three."]]
    assert _texts(parse_paragraphs(text, tokenizer, spans=spans)) == fresh


def test_fitting_spans_are_used_instead_of_splitting() -> None:
    """Spans that fit are trusted: here they cut where Punkt would not."""
    tokenizer = make_tokenizer("en")
    text = "One here. Two there.\nThree."
    cut = parse_paragraphs(text, tokenizer, spans="english:0,3,4,20,21,27")
    assert _texts(cut) == [["One", "here. Two there."], ["Three."]]
