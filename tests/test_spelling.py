"""Suggestions for misspelt topics: the edit distance, the vocabulary, the nearest word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import spelling

HEADLINES = [
    "Chrysler files for bankruptcy",
    "Chrysler plans cuts",
    "UN 'optimistic' on tsunami aid effort",
    "Tsunami Toll Rises",
    "Market rally continues",
    "Marker found on the moon",
]


def test_an_edit_is_an_insertion_a_deletion_a_substitution_or_a_swap() -> None:
    assert spelling.distance("tsunami", "tsunami", 1) == 0
    assert spelling.distance("tsunmai", "tsunami", 1) == 1  # two neighbours swapped
    assert spelling.distance("chryslr", "chrysler", 1) == 1  # a letter left out
    assert spelling.distance("chrysller", "chrysler", 1) == 1  # one too many
    assert spelling.distance("bitcoin", "britain", 2) == 3  # beyond the limit: limit + 1
    assert spelling.distance("a", "abcdef", 2) == 3  # lengths too far apart


@given(st.text("abcde", max_size=7), st.text("abcde", max_size=7), st.integers(0, 3))
def test_the_distance_is_symmetric_and_zero_only_for_the_same_word(
    a: str, b: str, limit: int
) -> None:
    found = spelling.distance(a, b, limit)
    assert found == spelling.distance(b, a, limit)
    assert 0 <= found <= limit + 1
    assert (found == 0) == (a == b)


def _osa(a: str, b: str) -> int:
    """The optimal-string-alignment distance, computed in full (the reference)."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[len(a)][len(b)]


@given(st.text("abc", max_size=8), st.text("abc", max_size=8), st.integers(0, 3))
def test_the_bounded_distance_agrees_with_the_full_one(a: str, b: str, limit: int) -> None:
    """Stopping early never changes the answer: the distance, or `limit + 1` beyond it."""
    assert spelling.distance(a, b, limit) == min(_osa(a, b), limit + 1)


def test_headline_words_are_written_as_headlines_write_them() -> None:
    """A word some headline writes in lower case is suggested so; a name as written."""
    known = spelling.vocabulary(HEADLINES)
    assert spelling.nearest(known, "tsunmai") == "tsunami"
    assert spelling.nearest(known, "Chryslr") == "Chrysler"
    assert known.counts["chrysler"] == 2


def test_only_unknown_words_of_four_letters_or_more_are_corrected() -> None:
    known = spelling.vocabulary(HEADLINES)
    assert spelling.nearest(known, "tsunami") is None  # known
    assert spelling.nearest(known, "ai") is None  # too short to guess
    assert spelling.nearest(known, "bitcoin") is None  # nothing near
    assert spelling.nearest(known, "chryslerr") == "Chrysler"


def test_of_two_words_as_near_the_commonest_then_the_first_is_chosen() -> None:
    """ "Marke" is one edit from both "marker" and "market", each met once: the first in
    alphabetical order; met more often, "market" wins."""
    assert spelling.nearest(spelling.vocabulary(HEADLINES), "Marke") == "Marker"
    more = spelling.vocabulary([*HEADLINES, "Market falls"])
    assert spelling.nearest(more, "Marke") == "Market"


def test_words_within_two_edits_are_corrected_from_eight_letters() -> None:
    known = spelling.vocabulary(["Bankruptcy filed"])
    assert spelling.nearest(known, "bankrupcty") == "Bankruptcy"  # 10 letters, two edits
    assert spelling.nearest(known, "bxnkxuptxy") is None  # three edits
    assert spelling.edits_allowed("tsunami") == 1 and spelling.edits_allowed("bankruptcy") == 2
    assert spelling.edits_allowed("台湾旅游") == 0  # CJK: no letters to respell


def test_cjk_runs_are_neither_known_words_nor_corrected() -> None:
    known = spelling.vocabulary(["台湾旅游业 recovers", "关于台湾的新闻"])
    assert set(known.counts) == {"recovers"}
    assert spelling.nearest(known, "台湾旅行业") is None


def test_words_are_written_in_the_other_script() -> None:
    """Latin as Russian writes foreign names, Cyrillic as English writes Russian ones."""
    assert spelling.transliterated("Putin") == "путин"
    assert spelling.transliterated("Zelensky") == "зеленский"  # a final "y" is «-ий»
    assert spelling.transliterated("Chavez") == "чавез"
    assert spelling.transliterated("Форд") == "ford"
    assert spelling.transliterated("Щукин") == "shchukin"
    assert spelling.transliterated("台湾") is None and spelling.transliterated("Mосква") is None


def test_a_name_in_the_other_script_is_found_among_headline_names() -> None:
    """ "Putin" finds «Путин», "Chavez" «Чавес» (one edit), «Форд» "Ford"; only capitalized
    words, and only words the headlines always capitalize (names), are matched."""
    known = spelling.vocabulary(
        ["Путин подписал закон", "Уго Чавес победил", "Ford posts profit", "Закон принят"]
    )
    assert spelling.in_other_script(known, "Putin") == "Путин"
    assert spelling.in_other_script(known, "Chavez") == "Чавес"
    assert spelling.in_other_script(known, "Форд") == "Ford"
    assert spelling.in_other_script(known, "putin") is None  # not written as a name
    assert spelling.in_other_script(known, "Zakon") is None  # «закон» is no name
    assert spelling.in_other_script(known, "Tesla") is None
