"""Per-language stemmers and stop words: Snowball stemmers, sumy's lists, our own Russian list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import snowballstemmer

from bot.hanzi import fold_hanzi, traditional_forms
from bot.summarize.language import pipeline_language

Stemmer = Callable[[str], str]


# Stems are cached across calls and threads: Snowball is ~30 µs a new word in pure Python (~1 µs
# with PyStemmer, which snowballstemmer uses when installed), so each word is stemmed once.
_STEM_CACHE_SIZE = 1 << 18
_local = threading.local()


def _snowball(pipeline: str) -> Any:
    """This thread's Snowball stemmer for a pipeline language (they keep state while stemming)."""
    stemmers: dict[str, Any] = _local.__dict__.setdefault("stemmers", {})
    stemmer = stemmers.get(pipeline)
    if stemmer is None:
        stemmer = stemmers[pipeline] = snowballstemmer.stemmer(pipeline)
    return stemmer


@lru_cache(maxsize=_STEM_CACHE_SIZE)
def _stem(pipeline: str, word: str) -> str:
    """The Snowball stem of a word, computed once per process (lru_cache is thread-safe)."""
    return str(_snowball(pipeline).stemWord(word))


class SnowballStemmer:
    """A Snowball stemmer for one language, sharing the process-wide stem cache.

    The cache is keyed by language and word; each thread stems with its own Snowball object,
    so summarizers on the threads `asyncio.to_thread` runs on never share mutable state.
    """

    __slots__ = ("_pipeline",)

    def __init__(self, language: str) -> None:
        self._pipeline = pipeline_language(language)

    def __call__(self, word: str) -> str:
        """The stem of an already lower-cased word."""
        return _stem(self._pipeline, word)


def make_stemmer(language: str) -> Stemmer:
    """A fresh stemmer for an ISO code or language name. Chinese has no inflection to strip:
    its "stem" is the word in simplified characters (`fold_hanzi`), so that sentences and
    queries in either script share their terms."""
    pipeline = pipeline_language(language)
    if pipeline == "chinese":
        return fold_hanzi
    return SnowballStemmer(pipeline)


def parse_word_list(text: str) -> frozenset[str]:
    """Lower-cased words of a one-word-per-line list; blank lines and "#" comments are skipped."""
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


@cache
def _stop_words(pipeline: str) -> frozenset[str]:
    """Stop words of a pipeline language, read once."""
    if pipeline == "russian":
        # sumy ships no Russian list; ours lives next to this module.
        source = resources.files(__package__ or "bot.summarize") / "stopwords" / "russian.txt"
        return parse_word_list(source.read_text(encoding="utf-8"))
    # sumy's lists, read directly: sumy.utils.get_stop_words maps names through pycountry
    # (~10 MB in memory); `pipeline` is already the file's name (english, chinese, ...).
    source = resources.files("sumy") / "data" / "stopwords" / f"{pipeline}.txt"
    if not source.is_file():
        raise LookupError(f"Stop-words are not available for language {pipeline}.")
    words = parse_word_list(source.read_text(encoding="utf-8"))
    # sumy's Chinese list is in simplified characters; a word is one character to the
    # tokenizer, so the traditional spelling of each listed character is a stop word too.
    return words | traditional_forms(words) if pipeline == "chinese" else words


def stop_words(language: str) -> frozenset[str]:
    """Lower-cased stop words for an ISO code or language name."""
    return _stop_words(pipeline_language(language))
