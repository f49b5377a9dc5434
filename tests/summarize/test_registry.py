"""Tests for the method registry, lengths, stemmers and stop words."""

from __future__ import annotations

import pytest

from bot.errors import UnknownMethodError
from bot.summarize import (
    DEFAULT_METHOD,
    METHODS,
    LeadSummarizer,
    available_methods,
    build_summarizer,
    make_stemmer,
    make_tokenizer,
    parse_length,
    resolve_method,
    stop_words,
)
from bot.summarize.document import build_document, parse_paragraphs
from bot.summarize.registry import resolve_count

STORY = "\n".join(
    [
        "The city council approved a new budget for public transport on Tuesday.",
        "The budget adds forty electric buses and two new tram lines by next year.",
        "Council members argued for hours about the cost of the tram lines.",
        "The mayor said electric buses would cut pollution in the city centre.",
        "Local businesses welcomed the plan but asked for faster construction.",
        "Residents near the new tram lines worry about noise during construction.",
        "The transport authority will publish a detailed timetable in March.",
        "Ticket prices for buses and trams will stay the same until next year.",
    ]
)
SENTENCES = STORY.splitlines()


def _document(title: str | None = None) -> object:
    """STORY as a sumy document."""
    tokenizer = make_tokenizer("en")
    return build_document(parse_paragraphs(STORY, tokenizer), tokenizer, title)


def test_registry_lists_the_expected_methods() -> None:
    """sumy methods without word lists, plus lead, random and ours; the default is registered."""
    assert available_methods() == (
        "kl",
        "lead",
        "lexrank",
        "lsa",
        "luhn",
        "newslead",
        "newsrank",
        "random",
        "reduction",
        "sumbasic",
        "textrank",
    )
    assert DEFAULT_METHOD in METHODS
    assert METHODS["lead"] is LeadSummarizer


@pytest.mark.parametrize("method", available_methods())
@pytest.mark.parametrize("count", [1, 3, 5])
def test_every_method_returns_n_sentences_in_document_order(method: str, count: int) -> None:
    """Each method picks exactly `count` distinct sentences and keeps document order."""
    picked = [str(s) for s in build_summarizer(method, "en")(_document(), count)]
    assert len(picked) == count
    positions = [SENTENCES.index(sentence) for sentence in picked]
    assert positions == sorted(set(positions))


@pytest.mark.parametrize("method", available_methods())
def test_title_heading_is_never_returned(method: str) -> None:
    """A title given to the document is a heading, so no method can select it."""
    title = "Council approves transport budget"
    picked = [str(s) for s in build_summarizer(method, "en")(_document(title), 8)]
    assert picked == SENTENCES


def test_lead_takes_the_first_sentences_and_accepts_percentages() -> None:
    """Lead-N is the first N; "25%" of eight sentences is two."""
    lead = build_summarizer("lead", "en")
    assert [str(s) for s in lead(_document(), 3)] == SENTENCES[:3]
    assert [str(s) for s in lead(_document(), "25%")] == SENTENCES[:2]


@pytest.mark.parametrize("alias", ["LexRank", "lex-rank", "lex_rank", " lexrank "])
def test_method_names_are_forgiving(alias: str) -> None:
    """sumy's hyphenated names and any case resolve to the registered name."""
    assert resolve_method(alias) == "lexrank"


def test_unknown_method_raises_with_the_known_names() -> None:
    """The error names the bad method and lists every known one."""
    with pytest.raises(UnknownMethodError) as info:
        build_summarizer("bart", "en")
    message = str(info.value)
    assert "'bart'" in message
    assert all(name in message for name in available_methods())


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3), ("3", 3), ("20%", "20%"), (" 5 % ", "5%"), ("100%", "100%")]
)
def test_parse_length_accepts_counts_and_percentages(value: int | str, expected: int | str) -> None:
    """Counts and percentages are normalized."""
    assert parse_length(value) == expected


@pytest.mark.parametrize("value", [0, -2, True, "0%", "101%", "abc", "2.5", ""])
def test_parse_length_rejects_nonsense(value: int | str) -> None:
    """Zero, negatives, booleans and malformed strings are refused."""
    with pytest.raises(ValueError):
        parse_length(value)


@pytest.mark.parametrize(
    ("length", "total", "count"), [(3, 10, 3), ("20%", 10, 2), ("20%", 3, 1), ("50%", 7, 3)]
)
def test_resolve_count(length: int | str, total: int, count: int) -> None:
    """Percentages round down like sumy's ItemsCount but never below one sentence."""
    assert resolve_count(length, total) == count


def test_stop_words_per_language() -> None:
    """English and Chinese come from sumy; Russian from our bundled list."""
    russian = stop_words("ru")
    assert 150 <= len(russian) <= 400
    assert {"и", "в", "не", "что", "это", "был", "её", "ее"} <= russian
    assert not {"президент", "москва", "компания"} & russian
    assert {"the", "and", "of"} <= stop_words("en")
    assert "的" in stop_words("zh")
    assert stop_words("de") == stop_words("en")


def test_stemmers_per_language() -> None:
    """Snowball for English and Russian, identity for Chinese."""
    english, russian, chinese = make_stemmer("en"), make_stemmer("ru"), make_stemmer("zh")
    assert english("running") == english("runs") == "run"
    assert russian("новостями") == russian("новости") == "новост"
    assert chinese("新闻") == "新闻"
