"""Builds sumy documents from our cleaned text: one paragraph per line, the title kept apart.

sumy's `PlaintextParser` is not used: it turns ALL-CAPS lines into headings and joins lines
that lack final punctuation, which glues a title or a dateline onto the first sentence.

Sentence splitting (Punkt, pure Python) is about half the cost of reading an article for a
summary, so ingestion splits each article once (`split_once`) and the store keeps where the
sentences are (`Article.sentence_spans`); `parse_paragraphs` reuses them when they were made
by the same splitter for the same text, and splits afresh otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

from bot.summarize.hygiene import clean_sentence
from bot.summarize.tokenizer import OfflineTokenizer

# A sentence with fewer words than this is a fragment ("Photo: AP.", "Updated."), only chosen
# when a text has nothing better.
MIN_WORDS = 3

Paragraphs = tuple[tuple[Any, ...], ...]  # sumy `Sentence` objects, grouped by paragraph


def _key(line: str) -> str:
    """A line folded for comparison: case, spacing and final punctuation ignored."""
    return " ".join(line.split()).casefold().rstrip(".!?:")


def _lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of a text, stripped, each with its offset in the text."""
    found: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.strip()
        if line:
            found.append((offset + raw.index(line[0]), line))
        offset += len(raw)
    return found


def split_once(text: str, tokenizer: OfflineTokenizer) -> str:
    """Where the tokenizer cuts the text into sentences, for `Article.sentence_spans`.

    "<pipeline language>:start,end,start,end,...": the offsets in `text` of every sentence
    of every non-blank line, as `to_sentences` would return them.
    """
    offsets: list[int] = []
    for start, line in _lines(text):
        for first, last in tokenizer.sentence_spans(line):
            offsets += (start + first, start + last)
    return f"{tokenizer.language}:{','.join(map(str, offsets))}"


def _stored_sentences(
    text: str, lines: list[tuple[int, str]], tokenizer: OfflineTokenizer, spans: str
) -> dict[int, list[str]] | None:
    """The sentences of each of the text's `_lines` (by offset) from `split_once`, if they fit.

    None when there is none, or it was made by another splitter or for another text: every
    sentence must lie inside one line without blanks at its ends, every line hold one.
    """
    language, _, numbers = spans.partition(":")
    if language != tokenizer.language or not numbers:
        return None
    try:
        offsets = [int(number) for number in numbers.split(",")]
    except ValueError:
        return None
    if len(offsets) % 2 or any(b < a for a, b in pairwise(offsets)):
        return None
    if offsets[-1] > len(text):  # also what keeps the walk over the lines below finite
        return None
    by_line: dict[int, list[str]] = {start: [] for start, _ in lines}
    line_of = iter(lines)
    start, line = next(line_of, (0, ""))
    for first, last in zip(offsets[::2], offsets[1::2], strict=True):
        while first >= start + len(line):
            start, line = next(line_of, (len(text) + 1, ""))
        piece = text[first:last]
        if first < start or last > start + len(line) or not piece or piece.strip() != piece:
            return None
        by_line[start].append(piece)
    return by_line if all(by_line.values()) else None


def parse_paragraphs(
    text: str, tokenizer: OfflineTokenizer, title: str | None = None, spans: str = ""
) -> Paragraphs:
    """Split text into paragraphs (one per line) of sentences, without the title.

    A first line that repeats the title is dropped, and so is any sentence that repeats an
    earlier one (sumy rates sentences by their text, so duplicates would share one rating).
    `spans`: `split_once`'s answer for this text, used when it fits (no splitting then).
    """
    lines = _lines(text)
    stored = _stored_sentences(text, lines, tokenizer, spans) if spans else None
    if title and lines and _key(lines[0][1]) == _key(title):
        lines = lines[1:]
    seen: set[str] = set()
    paragraphs: list[tuple[Any, ...]] = []
    for start, line in lines:
        sentences = []
        pieces = stored[start] if stored is not None else tokenizer.to_sentences(line)
        for piece in pieces:
            shown = clean_sentence(piece)  # no dateline, credit or dangling colon (hygiene)
            if shown is not None and shown not in seen:
                seen.add(shown)
                sentences.append(Sentence(shown, tokenizer))
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
