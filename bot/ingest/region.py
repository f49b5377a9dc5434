"""The article in a web page saved as plain text: the densest run of paragraph-sized lines.

A page flattened to text (a scraper's .txt, a copy of a browser window) holds the article's
paragraphs between menus, teasers, share buttons, related links and footers. What sets the
article apart without any markup is that its lines are long: each line scores its length in
words (a CJK character counts half a word) minus `SHORT_WORDS`, plus `SENTENCE_BONUS` when
it ends like a sentence, and the article is the run of consecutive lines with the highest sum
(the maximum-sum subarray, one pass). Short lines inside the run (subheadings, a quoted
line) stay; chrome before and after it goes, however it is worded, in any language.

The headline is, among the `HEADLINE_LOOKBACK` lines before that run that read like one (a few
words, no final period or colon, not a date or a byline), the one sharing most words with the
article's first paragraphs, the nearest on ties; a text that starts with its article keeps its
first line.

The two constants were chosen by cross-validation over sites (`python
benchmarks/plaintext.py`): precision-weighted F (β = 0.5) of the kept text against each page's
hand-made article body, on sites left out of the choice, and the share of already clean
articles (Wikinews, CNN/DailyMail, BBC) that would lose text.
"""

from __future__ import annotations

import re
from typing import Final

from bot.ingest.patterns import CJK, CJK_CHARS, SENTENCE_END

SHORT_WORDS: Final = 30  # a line shorter than this counts against the run ...
SENTENCE_BONUS: Final = 30  # ... unless it ends like a sentence
Setting = tuple[float, float]  # (short words, sentence bonus)
HEADLINE_WORDS = (3, 30)  # a headline has this many words (CJK: twice as many characters)
HEADLINE_LOOKBACK = 10  # lines before the article searched for its headline
LEAD_LINES = 3  # paragraphs of the article a headline is compared with

_TERM = re.compile(f"[{CJK_CHARS}]|[^\\W\\d_]{{4,}}")
_DATE_OR_BYLINE = re.compile(
    r"^(?:by|von|par|por|от|автор)\s|\b(?:19|20)\d\d\b|\d{1,2}:\d\d|^(?:updated|published)\b",
    re.IGNORECASE,
)


def size(line: str) -> float:
    """A line's length in words; CJK characters count half a word each."""
    cjk = len(CJK.findall(line))
    return len(line.split()) + cjk / 2


def weight(line: str, setting: Setting = (SHORT_WORDS, SENTENCE_BONUS)) -> float:
    """What a line adds to the run it is in (negative for short non-sentences)."""
    short_words, sentence_bonus = setting
    bonus = sentence_bonus if SENTENCE_END.search(line) else 0
    return size(line) - short_words + bonus


def main_run(lines: list[str], setting: Setting = (SHORT_WORDS, SENTENCE_BONUS)) -> tuple[int, int]:
    """Start and end (exclusive) of the run of lines with the highest total weight."""
    best, best_span = float("-inf"), (0, len(lines))
    total, start = 0.0, 0
    for index, line in enumerate(lines):
        if total <= 0:
            total, start = 0.0, index
        total += weight(line, setting)
        if total > best:
            best, best_span = total, (start, index + 1)
    return best_span


def _headline_like(line: str) -> bool:
    """A few words without a final period or colon, not a date, time or byline."""
    low, high = HEADLINE_WORDS
    words = size(line)
    return (
        low <= words <= high
        and not line.endswith((".", ":", ";", ","))
        and not _DATE_OR_BYLINE.search(line)
    )


def _terms(text: str) -> set[str]:
    """Words of four letters or more and CJK characters, case-folded."""
    return {term.casefold() for term in _TERM.findall(text)}


def headline(before: list[str], article: list[str]) -> str:
    """The line of `before` most like the article's headline ("" when none reads like one)."""
    lead = _terms(" ".join(article[:LEAD_LINES]))
    best, best_shared = "", 0
    for line in reversed(before[-HEADLINE_LOOKBACK:]):
        if not _headline_like(line):
            continue
        shared = len(_terms(line) & lead)
        if not best or shared > best_shared:
            best, best_shared = line, shared
    return best


def split_page(text: str, setting: Setting = (SHORT_WORDS, SENTENCE_BONUS)) -> tuple[str, str]:
    """The headline and the article body of a cleaned page text (one paragraph per line)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "", ""
    start, end = main_run(lines, setting)
    if start == 0:
        return lines[0], "\n".join(lines[1:end])
    article = lines[start:end]
    return headline(lines[:start], article) or lines[0], "\n".join(article)
