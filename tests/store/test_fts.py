"""Tests for bot.store.fts: the analyzer and the safe MATCH expressions."""

from __future__ import annotations

import itertools
import re
import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from bot import places
from bot.store import fts

# Letters and digits, or characters of the CJK blocks (the analyzer keeps a CJK run whole,
# unassigned code points of those blocks included, e.g. U+FADA): never a double quote.
_SAFE_PHRASE = re.compile(rf"^[^\W_{fts._CJK}]+( [^\W_{fts._CJK}]+)*$|^([{fts._CJK}] ?)+$")


def test_index_text_stems_russian_and_english_words() -> None:
    assert fts.index_text("Выборы в России") == "выбор в росс"
    assert fts.index_text("Elections, ELECTION!") == "elect elect"


def test_index_text_folds_yo_and_keeps_other_scripts() -> None:
    assert fts.index_text("Ёлка") == fts.index_text("елка")
    assert fts.index_text("שלום 2024") == "שלום 2024"


def test_index_text_splits_cjk_into_characters() -> None:
    assert fts.index_text("中国经济, iPhone手机") == "中 国 经 济 iphon 手 机"


def test_query_terms_expand_russian_noun_forms() -> None:
    (china,) = fts.query_terms("Китай")
    assert fts.stem("китая") in china
    assert fts.stem("китаю") in china
    assert china[0] == fts.stem("китай")


def test_query_terms_find_forms_that_drop_a_fleeting_vowel() -> None:
    for word, forms in [
        ("рынок", ("рынка", "рынке", "рынком", "рынки")),
        ("Новичок", ("новичком", "новичка")),
        ("отец", ("отца", "отцу")),
        ("день", ("дня",)),
    ]:
        (term,) = fts.query_terms(word)
        assert term[0] == fts.stem(word.lower())
        for form in forms:
            assert fts.stem(form) in term, (word, form)


def test_query_terms_in_a_form_without_the_fleeting_vowel_find_the_base_form() -> None:
    for word, base in [("рынке", "рынок"), ("Новичком", "новичок"), ("конца", "конец")]:
        (term,) = fts.query_terms(word)
        assert term[0] == fts.stem(word.lower())
        assert fts.stem(base) in term, word


def test_query_terms_drop_stop_words_and_repeats() -> None:
    assert fts.query_terms("the elections and THE elections") == [["elect"]]


def test_query_terms_without_words_are_empty() -> None:
    for query in ["", "   ", "🙂🔥🎉", "!!! ??? ...", "\"'()*:^-", "the of and", "и в на"]:
        assert fts.query_terms(query) == [], query


def test_query_terms_cap_very_long_queries() -> None:
    query = " ".join(f"word{i}" for i in range(5000))[:5000]
    assert len(fts.query_terms(query)) == fts.MAX_QUERY_TERMS


def test_cjk_query_becomes_bigram_phrases() -> None:
    assert fts.query_terms("中") == [["中"]]
    assert fts.query_terms("经济") == [["经 济"]]
    assert fts.query_terms("失业率") == [["失 业"], ["业 率"]]


def test_a_cjk_run_of_two_words_needs_no_pair_across_them() -> None:
    """A run of two words, 台湾旅游 (台湾 + 旅游): each character must be in a found pair
    with a neighbour, so the pair across the words (湾旅, in no text) is never required."""
    assert fts.query_terms("台湾旅游") == [["台 湾"], ["旅 游"]]
    assert fts.query_terms("美国总统大选") == [
        ["美 国"],
        ["国 总", "总 统"],
        ["总 统", "统 大"],
        ["大 选"],
    ]


@given(st.text(alphabet="中国经济增长台湾旅游美总统大选", min_size=1, max_size=12))
def test_every_character_of_a_cjk_query_is_in_a_required_pair(run: str) -> None:
    """Whatever the run, each of its characters is in every alternative of some term, or
    in one of the alternatives of each term that covers it: no character goes unasked."""
    terms = fts.query_terms(run)
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(run)] or [run]
    assert all(phrase in pairs for term in terms for phrase in term)
    for position in range(len(run)):
        around = {p for i, p in enumerate(pairs) if i in (position - 1, position)} or {run}
        assert any(set(term) <= around for term in terms), (run, position)


def test_traditional_and_simplified_characters_analyze_alike() -> None:
    assert fts.index_text("台灣旅遊業") == fts.index_text("台湾旅游业") == "台 湾 旅 游 业"
    assert fts.query_terms("台灣旅遊") == fts.query_terms("台湾旅游")
    assert fts.query_terms("台灣 台湾") == [["台 湾"]]  # one word, whichever script


def test_a_place_and_its_adjective_are_one_query_word() -> None:
    """Either side of `places` adds the other's index forms; a Russian name in its
    declined forms too (the adjective's stem alone would not find «Китая»)."""
    assert fts.query_terms("Ukraine") == [["ukrain", "ukrainian"]]
    assert fts.query_terms("Ukrainians") == [["ukrainian", "ukrain"]]
    assert fts.query_terms("Netherlands") == [["netherland", "dutch"]]
    (china,) = fts.query_terms("китайского")
    assert {"китайск", "кита"} <= set(china)
    (moscow,) = fts.query_terms("Москве")
    assert "московск" in moscow
    assert fts.query_terms("election") == [["elect"]]


def test_every_place_and_adjective_finds_the_other_side() -> None:
    for table in (places.ENGLISH, places.RUSSIAN):
        for name, adjectives in table.items():
            for word in (name, *adjectives):
                (term,) = fts.query_terms(word)
                assert {fts.stem(name), *map(fts.stem, adjectives)} <= set(term), word


def test_acronyms_with_and_without_dots_and_spelt_out() -> None:
    us = [["us", "u s", "unit state"], ["economi"]]
    assert fts.query_terms("US economy") == fts.query_terms("U.S. economy") == us
    assert fts.query_terms("us economy") == us  # the common ones in any case
    assert fts.query_terms("GM cuts") == [["gm", "g m"], ["cut"]]
    assert fts.query_terms("WHO pandemic")[0][:2] == ["who", "w h o"]
    assert fts.query_terms("who won") == [["won"]]  # small letters: the stop word
    assert fts.query_terms("WHO WON") == [["won"]]  # all in capitals: shouting, not acronyms
    assert fts.query_terms("cats AND dogs") == [["cat"], ["dog"]]  # an operator, not an acronym


def test_fts_operators_are_plain_quoted_words() -> None:
    terms = fts.query_terms('"apple" AND NEAR(x y) OR NOT col:val^2 -minus *')
    assert (
        fts.match_any(terms)
        == '("appl" OR "near" OR "x" OR "y" OR "col" OR "val" OR "2" OR "minus")'
    )
    assert fts.match_all([["a"], ["b", "c"]]) == '"a" AND ("b" OR "c")'


@given(st.text(max_size=300))
def test_every_phrase_is_letters_digits_and_spaces(query: str) -> None:
    for term in fts.query_terms(query):
        assert term, query
        for phrase in term:
            assert _SAFE_PHRASE.match(phrase), (query, phrase)


@given(st.text(max_size=200))
def test_expressions_are_valid_fts5_for_any_input(query: str) -> None:
    terms = fts.query_terms(query)
    if not terms:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
    db.execute("INSERT INTO t VALUES ('a', 'b')")
    for expression in (fts.match_all(terms), fts.match_any(terms)):
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    db.close()


_WORDS = ["volcano", "erupted", "markets", "rose", "вулкан", "извергся", "火山", "lava", "the"]
_PARAGRAPHS = st.lists(
    st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), min_size=1, max_size=5
).map("\n".join)


@given(_PARAGRAPHS)
def test_index_body_keeps_the_tokens_of_index_text(text: str) -> None:
    """The index reads the same tokens either way; only the paragraph breaks are kept."""
    body = fts.index_body(text)
    assert body.split() == fts.index_text(text).split()
    assert body.count("\n") == text.count("\n")


@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join),
    _PARAGRAPHS,
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2).map(" ".join),
)
def test_the_topic_check_on_stored_analysis_equals_analyzing_the_text(
    title: str, text: str, query: str
) -> None:
    """`is_about` reading the index's stored analysis answers as analyzing the text does
    (which skips the lead when the title has every word), and so it does with a copy stored
    before paragraph breaks were kept (not used then)."""
    from bot.models import Article

    article = Article(title=title, text=text)
    terms = fts.query_terms(query)
    fresh = fts.is_about(article, terms)
    assert fts.is_about(article, terms, (fts.index_text(title), fts.index_body(text))) == fresh
    assert fts.is_about(article, terms, (fts.index_text(title), fts.index_text(text))) == fresh


@given(st.text())
def test_the_faster_patterns_find_the_runs_of_the_general_one(text: str) -> None:
    """ASCII text and text without CJK characters are split by simpler patterns: the same
    runs, and so the same analysis."""
    runs = fts._plain_runs(text)
    assert runs is None or runs == fts._RUN.findall(text)
    assert fts.index_tokens(text) == " ".join(map(fts._index_form, fts._RUN.findall(text))).split()


def test_the_faster_patterns_on_each_kind_of_text() -> None:
    for text in (
        "Oil prices rose 5% in 2024.",
        "Café crème, £5 — “quoted”",
        "Выборы 2024",
        "中国经济 GDP",
    ):
        assert fts.index_tokens(text) == fts.index_text(text).split()
    assert fts._plain_runs("中国经济") is None
    assert fts.index_text("Café crème, £5") == "café crème 5"
