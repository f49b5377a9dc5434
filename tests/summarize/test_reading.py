"""Tests for stored readings: what ingestion keeps so topic summaries need not read again."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.ingest.records import with_sentences
from bot.models import Article
from bot.summarize.reading import (
    READING_VERSION,
    ReadArticle,
    decode_reading,
    encode_reading,
    read_article,
    reading_of,
)
from bot.summarize.topic import pick_sentences

ENGLISH = Article(
    title="Harbour reopens after storm",
    text=(
        "Harbour reopens after storm\n"
        "OSLO — The harbour reopened on Monday after a week of storms, officials said.\n"
        "Fishing boats came back to the quay. Prices of fish fell by a third.\n"
        "Photo: Reuters\n"
        "The storm cost the town two million kroner, the mayor said."
    ),
    language="en",
)
RUSSIAN = Article(
    title="Дума утвердила бюджет",
    text="Госдума утвердила бюджет на 2027 г. в первом чтении.\nРасходы на школы вырастут.",
    language="ru",
)
CHINESE = Article(
    title="北京公布交通预算", text="北京公布了新的交通预算。地铁将延长十公里。", language="zh"
)


@pytest.mark.parametrize("article", [ENGLISH, RUSSIAN, CHINESE], ids=["en", "ru", "zh"])
def test_a_stored_reading_is_what_reading_the_text_gives(article: Article) -> None:
    stored = with_sentences(article)
    read = read_article(stored.language, stored.title, stored.text, stored.sentence_spans)
    assert stored.reading == reading_of(stored)
    assert decode_reading(stored.reading, stored.title, stored.text) == read
    assert read.texts and read.terms  # something was read
    assert "OSLO" not in " ".join(read.texts)  # the cleaned sentence, not the raw one


def test_a_sentence_that_is_not_a_slice_of_the_text_is_kept_whole() -> None:
    read = ReadArticle("english", ("Rewritten sentence.",), (("rewritten", "sentenc"),), ("t",))
    reading = encode_reading(read, "T", "Some other text.")
    assert decode_reading(reading, "T", "Some other text.") == read


def test_a_reading_of_another_text_title_or_version_is_ignored() -> None:
    stored = with_sentences(ENGLISH)
    assert decode_reading(stored.reading, stored.title, stored.text + " More.") is None
    assert decode_reading(stored.reading, "Another title", stored.text) is None
    record = json.loads(stored.reading)
    record[0] = READING_VERSION + 1
    assert decode_reading(json.dumps(record), stored.title, stored.text) is None


# ENGLISH without its photo credit: a text the picture rules (reading version 3) cannot touch.
UNPICTURED = replace(ENGLISH, text=ENGLISH.text.replace("Photo: Reuters\n", ""))


def test_a_version_1_reading_stands_except_in_chinese() -> None:
    """Version 2 changed Chinese terms only (traditional characters read as simplified), so a
    version-1 reading of another language is still used, and a Chinese one read again."""
    traditional = Article(title="臺北公布預算", text="臺北公布了新的交通預算。", language="zh")
    for article, current in ((UNPICTURED, True), (RUSSIAN, True), (traditional, False)):
        stored = with_sentences(article)
        record = json.loads(stored.reading)
        record[0] = 1
        decoded = decode_reading(json.dumps(record), stored.title, stored.text)
        assert (decoded is not None) == current, article.language
    read = read_article("zh", traditional.title, traditional.text)
    assert "台" in read.title and "预" in {t for terms in read.terms for t in terms}


def test_an_older_reading_stands_unless_the_picture_rules_could_change_it() -> None:
    """Version 3 added the picture rules (captions, credits, "(pictured)"): a version-2 or
    version-1 reading of a text that mentions no picture is still used, another read again."""
    plain = UNPICTURED
    pictured = replace(plain, text="In this 2010 file photo, a crane stands.\n" + plain.text)
    for article, current in ((plain, True), (pictured, False)):
        stored = with_sentences(article)
        for version in (1, 2):
            record = json.loads(stored.reading)
            record[0] = version
            decoded = decode_reading(json.dumps(record), stored.title, stored.text)
            assert (decoded is not None) == current, (version, article.text[:20])
    read = read_article("en", pictured.title, pictured.text)
    assert not any("file photo" in text for text in read.texts)


GARBAGE = ["", "[", "null", "{}", "[1, 2]", '"text"', '[1, 2, "en", "t", [[1]]]', "[1,2,3,4,5]"]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_not_a_reading(garbage: str) -> None:
    assert decode_reading(garbage, ENGLISH.title, ENGLISH.text) is None


def test_topic_summaries_are_the_same_with_or_without_stored_readings() -> None:
    articles = [with_sentences(a) for a in (ENGLISH, RUSSIAN, CHINESE)]
    assert all(a.reading for a in articles)
    unread = [replace(a, reading="") for a in articles]
    stale = [replace(a, reading=with_sentences(ENGLISH).reading) for a in articles]
    expected = pick_sentences(unread, words=60, query="harbour бюджет")
    assert pick_sentences(articles, words=60, query="harbour бюджет") == expected
    assert pick_sentences(stale, words=60, query="harbour бюджет") == expected  # ignored
    assert expected.picks  # not a vacuous comparison
