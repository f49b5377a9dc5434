"""Tests for NewsLead, the default: the lead, except sentences that repeat an earlier pick."""

from __future__ import annotations

from bot.summarize import DEFAULT_METHOD, build_summarizer, make_tokenizer
from bot.summarize.document import build_document, parse_paragraphs

STORY = [
    "Flood waters forced hundreds of families from their homes in the river valley on Sunday.",
    "Rescue teams used boats to reach families trapped by the flood waters overnight.",
    "The river rose two metres in six hours after days of heavy rain, officials said.",
    "Emergency shelters in three schools took in the families who lost their homes.",
]


def _summary(lines: list[str], count: int | str, method: str = "newslead") -> list[str]:
    """The method's picks for the lines, one paragraph per line."""
    tokenizer = make_tokenizer("en")
    document = build_document(parse_paragraphs("\n".join(lines), tokenizer), tokenizer)
    return [str(s) for s in build_summarizer(method, "en")(document, count)]


def test_newslead_is_the_default() -> None:
    """Lead-safe summaries are what the bot gives unless configured otherwise."""
    assert DEFAULT_METHOD == "newslead"


def test_an_article_without_repeats_gets_its_lead() -> None:
    """With nothing repeated, the summary is exactly the first sentences."""
    assert _summary(STORY, 3) == STORY[:3] == _summary(STORY, 3, "lead")


def test_a_sentence_repeating_the_lead_waits_for_the_others() -> None:
    """A caption that repeats the first sentence is passed over; plain lead would show it."""
    caption = "Flood waters forced hundreds of families from their homes in the valley on Sunday"
    lines = [STORY[0], caption + " (pictured).", *STORY[1:]]
    assert _summary(lines, 3) == [STORY[0], STORY[1], STORY[2]]
    assert _summary(lines, 3, "lead")[1].startswith(caption)


def test_repeats_are_taken_when_nothing_else_is_left() -> None:
    """Asking for every sentence gives every sentence, repeats included, in document order."""
    lines = [STORY[0], STORY[0].replace("Sunday", "Sunday morning"), STORY[1]]
    assert _summary(lines, 3) == lines


def test_a_headline_line_comes_after_the_sentences() -> None:
    """A line extraction kept that does not end like a sentence is not the lead."""
    lines = ["2019 American Music Awards", *STORY]
    assert _summary(lines, 2) == STORY[:2]
    assert _summary(lines, 2, "lead")[0] == lines[0]


def test_sentences_ending_in_quotes_or_brackets_are_sentences() -> None:
    """Final punctuation may be followed by closing quotes or a bracket."""
    quoted = '"The bridge will reopen in May," the mayor said (on Tuesday).'
    said = "Engineers said: “The steel supports will all be replaced.”"
    assert _summary([quoted, said, *STORY], 2) == [quoted, said]
