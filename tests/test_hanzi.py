"""Tests for bot.hanzi: Chinese characters folded to their simplified form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.hanzi import fold_hanzi, traditional_forms


def test_traditional_characters_become_simplified() -> None:
    assert fold_hanzi("臺灣經濟") == "台湾经济"
    assert fold_hanzi("蘋果發表會") == "苹果发表会"
    assert fold_hanzi("台湾经济") == "台湾经济"  # simplified already


def test_other_text_is_left_as_it_is() -> None:
    for text in ("", "Harbour reopens", "Дума утвердила бюджет", "ひらがな", "한국어", "🙂 12"):
        assert fold_hanzi(text) == text


@given(st.text() | st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)))
def test_folding_keeps_length_and_is_idempotent(text: str) -> None:
    folded = fold_hanzi(text)
    assert len(folded) == len(text)
    assert fold_hanzi(folded) == folded


def test_every_ideograph_folds_once_for_all() -> None:
    """Chains in the table (薴 → 苧 → 苎) are followed to their end."""
    blocks = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
    every = "".join(chr(code) for start, end in blocks for code in range(start, end))
    folded = fold_hanzi(every)
    assert len(folded) == len(every) and fold_hanzi(folded) == folded
    assert fold_hanzi("薴") == "苎"


def test_a_word_list_gains_the_traditional_spellings_of_its_characters() -> None:
    forms = traditional_forms(frozenset({"们", "这"}))
    assert forms >= {"們", "這"}
    assert all(fold_hanzi(form) in {"们", "这"} for form in forms)
