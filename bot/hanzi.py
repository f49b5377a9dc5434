"""Chinese characters in one script, so that 台灣 (traditional) and 台湾 (simplified) match.

Chinese news is written in simplified characters (mainland China, Singapore) or traditional
ones (Taiwan, Hong Kong, and many Wikinews pages), and a reader types the script they use: a
search for 台湾旅游 found nothing in a story headed 台灣與帛琉的「旅遊泡泡」. Search and
summaries therefore compare text with every traditional character read as its simplified
form (`fold_hanzi`), on the index side and the query side alike; what users see is the text
as stored.

The table is OpenCC's traditional-to-simplified conversion (the `opencc` package), one
character at a time: each character maps to one character, so lengths and positions are
kept and a query's character pairs fold the same way wherever they stand. Phrase-level
conversion (a word spelt differently, not only drawn differently) is not needed to match and
would depend on the neighbouring characters. The table is built on the first Chinese text
(~25 ms); a process that never sees any does not load OpenCC.
"""

from __future__ import annotations

import functools
import re

# The CJK ideograph blocks: Extension A, the unified ideographs, the compatibility ideographs.
_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.cache
def _table() -> dict[int, str]:
    """Each traditional character's simplified form, where it is one other character."""
    import opencc

    characters = [chr(code) for start, end in _BLOCKS for code in range(start, end)]
    converted = opencc.OpenCC("t2s").convert("\n".join(characters)).split("\n")
    if len(converted) != len(characters):  # lines merged: convert one character at a time
        converter = opencc.OpenCC("t2s")
        converted = [converter.convert(character) for character in characters]
    table = {
        ord(character): simple
        for character, simple in zip(characters, converted, strict=True)
        if simple != character and len(simple) == 1
    }
    for code, simple in table.items():  # a chain (薴 → 苧 → 苎) to its end: folding is final
        seen = {code}
        while ord(simple) in table and ord(simple) not in seen:
            seen.add(ord(simple))
            simple = table[ord(simple)]
        table[code] = simple
    return table


def fold_hanzi(text: str) -> str:
    """`text` with every traditional Chinese character replaced by its simplified form (same
    length); text without ideographs is returned as it is, without loading the table."""
    if _IDEOGRAPH.search(text) is None:
        return text
    return text.translate(_table())


def traditional_forms(words: frozenset[str]) -> frozenset[str]:
    """The traditional characters whose simplified form is one of `words` (a word list of
    single characters, such as stop words, made to hold both scripts)."""
    return frozenset(chr(code) for code, simple in _table().items() if simple in words)
