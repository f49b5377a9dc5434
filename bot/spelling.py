"""Suggestions for a topic with a misspelt word: "Did you mean …?" ("chryslr" → "Chrysler").

Offered only when nothing stored is about the topic, for words that no stored article
contains at all, and only when the corrected topic has an answer. A word is corrected to
the commonest word of the recent headlines (the titles of the last `TITLES` articles
stored) within a small edit distance: none for words under 4 letters (too many neighbours),
one edit up to 7 letters, two from 8; an edit is an insertion, a deletion, a substitution
or two neighbouring letters swapped (optimal string alignment). Not fitted: on the judged
topics with a typo put into their longest word, 90 of 104 got a suggestion, all of them
finding the topic's articles (84 the topic itself, 6 another form of its word:
«Младиач» → «Младич» for «Младича»), and none of 24 news words the sample lacks
("bitcoin", "Brexit", «пандемия») got one (`benchmarks/spelling.py`).

A capitalized word no headline has may also be a name the stories write in the other
script: "Putin" is looked for among the headlines' names as «путин», «Боинг» as "boing"
(`transliterated`, then `nearest`); that is suggested when the topic spelt right has no
answer either. 29 of 32 such names of the sample's stories got their headlines' form.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

WORD = re.compile(r"[^\W\d_]+")
# Chinese, Japanese and Korean are written without spaces: a run of them is no word to
# respell letter by letter.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
TITLES = 20_000  # the headlines whose words are the vocabulary
SHORTEST = 4  # letters: a shorter word is never corrected


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words of recent headlines: how often each was met (folded), how to write it, and
    the folded words by length."""

    counts: dict[str, int]
    forms: dict[str, str]
    by_length: dict[int, list[str]]


def vocabulary(titles: list[str]) -> Vocabulary:
    """The vocabulary of `titles`: their words of `SHORTEST` letters or more (no CJK runs)."""
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    for title in titles:
        for word in WORD.findall(title):
            if edits_allowed(word):
                folded = word.casefold()
                counts[folded] += 1
                written.setdefault(folded, Counter())[word] += 1
    by_length: dict[int, list[str]] = {}
    for folded in counts:
        by_length.setdefault(len(folded), []).append(folded)
    # A word some headline writes in lower case is a common word ("tsunami"); else it is
    # shown as headlines write it most ("Chrysler").
    forms = {
        folded: folded if folded in seen else seen.most_common(1)[0][0]
        for folded, seen in written.items()
    }
    return Vocabulary(dict(counts), forms, by_length)


def edits_allowed(word: str) -> int:
    """How many edits may turn `word` into a known word (see the module docstring); none
    for a word of CJK characters."""
    if len(word) < SHORTEST or _CJK.search(word):
        return 0
    return 1 if len(word) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of `a` and `b`, or `limit + 1` when it exceeds
    `limit` (most comparisons stop after a row or two: no later cell is
    below the last row's least, nor the row before's least plus one, the cost of a swap)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if before is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit and min(previous) >= limit:
            return limit + 1
        before, previous = previous, row
    return min(previous[-1], limit + 1)


def nearest(known: Vocabulary, word: str, *, names: bool = False) -> str | None:
    """The known word closest to `word` within `edits_allowed` (the commonest of the
    closest, then the first in alphabetical order), as headlines write it; None if none.
    With `names`, only words the headlines always capitalize."""
    folded = word.casefold()
    limit = edits_allowed(folded)
    if not limit or folded in known.counts:
        return None
    found: tuple[int, int, str] | None = None
    for length in range(len(folded) - limit, len(folded) + limit + 1):
        for candidate in known.by_length.get(length, ()):
            if names and not known.forms[candidate][:1].isupper():
                continue
            edits = distance(folded, candidate, limit)
            if edits <= limit:
                key = (edits, -known.counts[candidate], candidate)
                found = key if found is None or key < found else found
    return known.forms[found[2]] if found else None


# Latin letters as Russian writes foreign names, longest first (a usual, lossy scheme: the
# edit distance of `nearest` absorbs the rest, "Berlusconi" → «берлусцони» → «Берлускони»),
# and Cyrillic as English writes Russian names (BGN/PCGN without diacritics).
_TO_CYRILLIC = {
    "shch": "щ", "sch": "ш", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц",
    "ya": "я", "yu": "ю", "yo": "ё", "ye": "е", "ph": "ф", "th": "т", "ck": "к", "j": "дж",
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "w": "у", "x": "кс", "y": "й", "z": "з",
}  # fmt: skip
_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_LATIN_RUN = re.compile("|".join(sorted(_TO_CYRILLIC, key=len, reverse=True)))


def transliterated(word: str) -> str | None:
    """A Latin word in Cyrillic letters or a Cyrillic one in Latin (folded); None for any
    other word (other scripts, or both in one word)."""
    folded = word.casefold()
    if folded.isascii() and folded.isalpha():
        cyrillic = _LATIN_RUN.sub(lambda run: _TO_CYRILLIC[run[0]], folded)
        return cyrillic[:-1] + "ий" if folded.endswith("y") else cyrillic  # "Zelensky"
    if all(letter in _TO_LATIN for letter in folded):
        return "".join(_TO_LATIN[letter] for letter in folded)
    return None


def in_other_script(known: Vocabulary, word: str) -> str | None:
    """The headline name nearest to a capitalized `word` written in the other script
    ("Putin" → «Путин», «Обама» → "Obama"), as `nearest` finds it; None if none."""
    other = transliterated(word) if word[:1].isupper() else None
    if other is None:
        return None
    if other in known.counts:
        return known.forms[other] if known.forms[other][:1].isupper() else None
    return nearest(known, other, names=True)
