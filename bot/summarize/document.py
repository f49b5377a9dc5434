"""Builds sumy documents from our cleaned text: one paragraph per line, the title kept apart.

sumy's `PlaintextParser` is not used: it turns ALL-CAPS lines into headings and joins lines
that lack final punctuation, which glues a title or a dateline onto the first sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

from bot.summarize.tokenizer import OfflineTokenizer

# A sentence with fewer words than this is a fragment ("Photo: AP.", "Updated."), only chosen
# when a text has nothing better.
MIN_WORDS = 3

Paragraphs = tuple[tuple[Any, ...], ...]  # sumy `Sentence` objects, grouped by paragraph


def _key(line: str) -> str:
    """A line folded for comparison: case, spacing and final punctuation ignored."""
    return " ".join(line.split()).casefold().rstrip(".!?:")


def parse_paragraphs(
    text: str, tokenizer: OfflineTokenizer, title: str | None = None
) -> Paragraphs:
    """Split text into paragraphs (one per line) of sentences, without the title.

    A first line that repeats the title is dropped, and so is any sentence that repeats an
    earlier one (sumy rates sentences by their text, so duplicates would share one rating).
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and _key(lines[0]) == _key(title):
        lines = lines[1:]
    seen: set[str] = set()
    paragraphs: list[tuple[Any, ...]] = []
    for line in lines:
        sentences = []
        for piece in tokenizer.to_sentences(line):
            if piece not in seen:
                seen.add(piece)
                sentences.append(Sentence(piece, tokenizer))
        if sentences:
            paragraphs.append(tuple(sentences))
    return tuple(paragraphs)


def drop_fragments(paragraphs: Paragraphs, min_words: int = MIN_WORDS) -> Paragraphs:
    """Paragraphs without sentences shorter than `min_words`; unchanged if nothing would remain."""
    kept = tuple(
        tuple(s for s in paragraph if len(s.words) >= min_words) for paragraph in paragraphs
    )
    kept = tuple(paragraph for paragraph in kept if paragraph)
    return kept or paragraphs


def cap_sentences(paragraphs: Paragraphs, limit: int) -> Paragraphs:
    """The paragraphs cut after their first `limit` sentences."""
    kept: list[tuple[Any, ...]] = []
    room = limit
    for paragraph in paragraphs:
        if room <= 0:
            break
        kept.append(paragraph[:room])
        room -= len(kept[-1])
    return tuple(kept)


def sentence_texts(sentences: Iterable[Any]) -> list[str]:
    """The text of sumy sentences, in the order given."""
    return [str(sentence) for sentence in sentences]


def count_sentences(paragraphs: Sequence[Sequence[Any]]) -> int:
    """How many sentences the paragraphs hold."""
    return sum(len(paragraph) for paragraph in paragraphs)


def build_document(
    paragraphs: Paragraphs, tokenizer: OfflineTokenizer, title: str | None = None
) -> Any:
    """A sumy `ObjectDocumentModel`; the title becomes a heading, never a sentence."""
    parts = [Paragraph(paragraph) for paragraph in paragraphs]
    if title and title.strip():
        parts.insert(0, Paragraph([Sentence(title.strip(), tokenizer, is_heading=True)]))
    return ObjectDocumentModel(parts)
