"""Language detection for articles whose source does not say (offline, py3langid's model)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# Languages with their own sentence splitter, stemmer and stop words; anything else is
# summarized with the English pipeline but keeps its detected code.
SUPPORTED = ("en", "ru", "zh")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")

# The pipeline (tokenizer, stemmer, stop words) each language code or name is summarized with.
_PIPELINES = {
    "en": "english",
    "english": "english",
    "ru": "russian",
    "russian": "russian",
    "zh": "chinese",
    "chinese": "chinese",
}


@lru_cache(maxsize=1)
def _classify() -> Callable[[str], tuple[str, float]]:
    import py3langid

    return py3langid.classify  # type: ignore[no-any-return]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en" when there is too little to tell)."""
    sample = text[:2000]
    letters = len(_LETTER.findall(sample))
    if letters < 20:
        return "en"
    if len(_CJK.findall(sample)) > letters * 0.3:
        return "zh"
    if len(_CYRILLIC.findall(sample)) > letters * 0.5:
        return "ru"
    code, _score = _classify()(sample)
    return str(code)


def pipeline_language(language: str) -> str:
    """The pipeline name ("english", "russian" or "chinese") for an ISO code or language name."""
    key = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return _PIPELINES.get(key, "english")
