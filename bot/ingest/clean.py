"""The plain-text boilerplate cleaner: site furniture out, one paragraph per line.

Rules work on lines (one line = one paragraph) in three passes:

1. line shape: separators, menus, breadcrumbs, picture credits, "Read more" links and widget
   labels ("Remind me later") are dropped when the line is short and not a sentence;
2. appeals: a line whose sentences are mostly the site talking to its reader about support,
   donations, subscriptions, cookies or paywalls is dropped, as is every line of a run (or a
   blank-line block) of such lines;
3. the tail: a trailing run of appeals, widget labels and fragments is dropped.

Quoted or attributed sentences ("...," the mayor said) never count as appeals, so news
about fundraising stays.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from bot.ingest import patterns as p

_SPACE = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")
_OPEN_QUOTES = frozenset('“«„"')
_CLOSE_QUOTES = frozenset('”»"')
_QUOTE_MARK = re.compile("[" + re.escape("".join(sorted(_OPEN_QUOTES | _CLOSE_QUOTES))) + "]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_NEWLINES = "\r\u2028\u2029\x0b\x0c\x85\x1c\x1d\x1e"


def _translation_table() -> dict[int, str | None]:
    """Map newline variants to "\\n" and control or zero-width characters to nothing."""
    table: dict[int, str | None] = {ord(c): None for c in _ZERO_WIDTH}
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        if unicodedata.category(chr(code)) == "Cc" and chr(code) not in "\n\t":
            table[code] = None
    table.update({ord(c): "\n" for c in _NEWLINES})
    table[ord("\t")] = " "
    return table


_TABLE = _translation_table()
# Any character the table changes: most texts have none, and finding that out is ~10x
# cheaper than `str.translate`, which looks up every character in the table.
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_TABLE)) + "]")
# Lines dropped for their shape; appeal rules look through them.
_TRANSPARENT = frozenset({"nav", "credit", "link"})
_MENU_RUN = 3  # consecutive short labels that make a menu
_LABEL_CHARS = 24
_LABEL_CJK = 6  # CJK text has no spaces, so words cannot measure it


@dataclass(slots=True)
class _Line:
    """One paragraph with what the rules found out about it."""

    text: str
    block: int
    kind: str | None = None  # why it is dropped: "nav", "credit", "link", "cta", "appeal"
    sentences: int = 0
    appeals: int = 0
    strong: bool = False  # has an explicit call to action ("please donate")

    @property
    def appeal_like(self) -> bool:
        """Mostly an appeal, or a widget label such as "Donate"."""
        if self.kind == "cta":
            return True
        return self.appeals > 0 and self.appeals * 2 >= self.sentences

    @property
    def appeal_weight(self) -> int:
        """How many appeals this line contributes to a run."""
        return max(self.appeals, 1) if self.kind == "cta" else self.appeals


# Quotes typed with a backtick, as TeX and some wikis write them: "` Black Monday'" (five
# articles of the bundled Wikinews sample), "don`t".
# A backtick opens a quote at the start of a line or after a space or an opening bracket;
# one of several left on a line (`code`) is left as it is.
_OPENS = r"(?<![^\s(\[{«\"])"
_BACKTICK_APOSTROPHE = re.compile(r"(?<=[^\W\d_])`(?=[^\W\d_])")
_BACKTICK_DOUBLE = re.compile(_OPENS + r"`` ?([^`'‘’“”\n]{1,300}?)[ \n]?''")
_BACKTICK_QUOTE = re.compile(_OPENS + r"` ?([^`'‘’“”\n]{1,300}?)[ \n]?'(?![^\W\d_])")
_BACKTICK_OPEN = re.compile(_OPENS + r"`\s?(?=[^\W\d_])")


def tidy_quotes(text: str) -> str:
    """Backtick quotes as typographic ones: "` Black Monday'" → "‘Black Monday’", "``
    news ''" → "“news”", "don`t" → "don't"; a `code` span is left alone."""
    if "`" not in text:
        return text
    text = _BACKTICK_QUOTE.sub(r"‘\1’", _BACKTICK_DOUBLE.sub(r"“\1”", text))
    text = _BACKTICK_APOSTROPHE.sub("'", text)
    lines = text.split("\n")  # a lone backtick left on its line opens a quote
    return "\n".join(
        _BACKTICK_OPEN.sub("‘", line) if line.count("`") == 1 else line for line in lines
    )


def clean_text(text: str) -> str:
    """Cleaned text: boilerplate removed, one normalized paragraph per line."""
    text = tidy_quotes(text)
    lines = _split_lines(text.translate(_TABLE) if _TRANSLATED.search(text) else text)
    for line in lines:
        line.kind = _line_kind(line.text)
        _score_appeals(line)
    _drop_menu_runs(lines)
    _drop_appeal_blocks(lines)
    _drop_appeal_runs(lines)
    _drop_appeal_tail(lines)
    return "\n".join(line.text for line in lines if line.kind is None)


def _split_lines(text: str) -> list[_Line]:
    """Non-empty, whitespace-normalized lines, hard-wrapped lines joined, with block numbers."""
    lines: list[_Line] = []
    block = 0
    previous_blank = True
    for raw in text.split("\n"):
        line = _SPACE.sub(" ", raw).strip()
        if not line:
            block += 0 if previous_blank else 1
            previous_blank = True
            continue
        if not previous_blank and lines and _is_wrapped(lines[-1].text, line):
            lines[-1].text = f"{lines[-1].text} {line}"
        else:
            lines.append(_Line(line, block))
        previous_blank = False
    return lines


def _is_wrapped(previous: str, line: str) -> bool:
    """Whether `line` continues `previous` (a hard-wrapped paragraph), not a new paragraph."""
    if p.SENTENCE_END.search(previous) or previous.endswith(":"):
        return False
    return line[0].islower() or previous.endswith((",", ";", "-"))


def _line_kind(line: str) -> str | None:
    """Why a line is boilerplate by its shape and wording alone, or None."""
    words = line.split()
    count = len(words)
    is_sentence = bool(p.SENTENCE_END.search(line))
    if p.SEPARATORS_ONLY.match(line):
        return "nav"
    if count <= 6 and p.WIDGET.search(line) and (line.endswith(("?", "!")) or _widget_covers(line)):
        return "cta"
    if count <= 40 and p.CROSS_LINK.search(line):
        return "link"
    if is_sentence or count > 12:
        return None
    if p.PHOTO_CREDIT.search(line) or (" / " in line and p.SLASH_CREDIT.match(line)):
        return "credit"
    if count <= 8 and (_is_menu(words) or _is_breadcrumb(line)):
        return "nav"
    return None


def _widget_covers(line: str) -> bool:
    """A widget label is most of the line ("Donate now"), not a word in a headline."""
    matched = sum(len(m.group(0)) for m in p.WIDGET.finditer(line))
    return matched * 2 >= len(line)


def _is_menu(words: list[str]) -> bool:
    """Every word of the line is a menu word ("Home", "Sign in", "World | Business")."""
    tokens = [w.strip("|•·-–—:/()[]").casefold() for w in words]
    tokens = [t for t in tokens if t]
    return bool(tokens) and all(t in p.MENU_WORDS for t in tokens)


def _is_breadcrumb(line: str) -> bool:
    """A trail like "Home > World > Asia" (two separators, or starting at a menu word)."""
    if not p.BREADCRUMB.match(line):
        return False
    parts = re.split(r"\s*[>»›]\s*", line)
    return len(parts) >= 3 or parts[0].casefold() in p.MENU_WORDS


def _sentences(text: str) -> list[tuple[str, bool]]:
    """The sentences of a paragraph, each with whether it is quoted speech."""
    result: list[tuple[str, bool]] = []
    in_quote = False
    for sentence in p.SENTENCE_SPLIT.split(text):
        if not _LETTER.search(sentence):
            continue
        marks = _QUOTE_MARK.findall(sentence)
        quoted = in_quote or bool(marks)
        in_quote = _quote_open_after(marks, in_quote)
        result.append((sentence, quoted))
    return result


def _quote_open_after(marks: list[str], in_quote: bool) -> bool:
    """Whether a quotation is still open after a sentence with these quotation marks."""
    for char in marks:
        if char == '"':
            in_quote = not in_quote
        elif char in _OPEN_QUOTES:
            in_quote = True
        elif char in _CLOSE_QUOTES:
            in_quote = False
    return in_quote


def _is_appeal(sentence: str, lowered: str | None, words: list[str], call: bool) -> bool:
    """The site asking its reader for support, a subscription, consent or attention.

    `lowered`: the sentence lower-cased, None when it is quoted speech (never an appeal);
    `words`: its words. `call`: the sentence holds an unquoted call to action
    (`CALL_TO_ACTION`). The voice patterns run only where the sentence holds their words.
    """
    if lowered is None:
        return False
    site = not p.SITE_VOICE_WORDS.isdisjoint(words) or p.SITE_VOICE_STEM in lowered
    reader = not p.READER_VOICE_WORDS.isdisjoint(words) or p.READER_VOICE_STEM in lowered
    asks = (
        call
        or bool(site and p.SITE_VOICE.search(sentence) and p.APPEAL_TOPIC.search(sentence))
        or bool(reader and p.READER_VOICE.search(sentence) and p.READER_ASK.search(sentence))
    )
    return asks and not p.REPORTED.search(sentence)  # the costlier test last


def _calls_to_action(sentence: str, words: list[str] | None = None) -> bool:
    """Whether the sentence holds a call to action; most sentences are ruled out by their words
    (`words`: its lower-cased words, if known)."""
    words = _WORD.findall(sentence.lower()) if words is None else words
    listed = p.CALL_TO_ACTION_WORDS.intersection(words)
    if listed <= p.CALL_TO_ACTION_COMMON and not any(
        f"{word} {after}" in p.CALL_TO_ACTION_PAIRS
        for word, after in itertools.pairwise(words)
        if word in listed
    ):  # the Chinese branch has no words; a sentence it matches matches the whole pattern
        return bool(p.CALL_TO_ACTION_CJK.search(sentence))
    return bool(p.CALL_TO_ACTION.search(sentence))


def _score_appeals(line: _Line) -> None:
    """Count the line's sentences and appeals; drop it if it is mostly appeals."""
    sentences = _sentences(line.text)
    lowered = [None if quoted else s.lower() for s, quoted in sentences]
    words = [_WORD.findall(low) if low is not None else [] for low in lowered]
    # The call-to-action pattern is the costliest: search each sentence once.
    calls = [
        low is not None and _calls_to_action(s, found)
        for (s, _), low, found in zip(sentences, lowered, words, strict=True)
    ]
    line.sentences = len(sentences)
    line.appeals = sum(
        _is_appeal(s, low, found, call)
        for (s, _), low, found, call in zip(sentences, lowered, words, calls, strict=True)
    )
    line.strong = any(calls)
    if line.kind is None and line.appeal_like and (line.strong or line.appeals >= 2):
        line.kind = "appeal"


def _drop_menu_runs(lines: list[_Line]) -> None:
    """Drop runs of three or more one-to-three-word labels: a menu flattened to lines."""
    run: list[_Line] = []
    for line in [*lines, _Line(".", -1)]:
        if line.kind is None and _is_label(line.text):
            run.append(line)
            continue
        if len(run) >= _MENU_RUN:
            for item in run:
                item.kind = "nav"
        run = []


def _is_label(text: str) -> bool:
    """A menu-like label: at most three words, no sentence punctuation, not a list item."""
    return (
        len(text.split()) <= 3
        and len(text) <= _LABEL_CHARS
        and len(p.CJK.findall(text)) <= _LABEL_CJK
        and not p.SENTENCE_END.search(text)
        and not p.LIST_ITEM.match(text)
    )


def _drop_appeal_blocks(lines: list[_Line]) -> None:
    """Drop every line of a blank-line block whose sentences are mostly appeals."""
    blocks: dict[int, list[_Line]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line)
    for members in blocks.values():
        counted = [line for line in members if line.kind not in _TRANSPARENT]
        appeals = sum(line.appeal_weight for line in counted)
        sentences = sum(max(line.sentences, 1) for line in counted)
        if appeals >= 2 and appeals * 2 >= sentences:
            # Third-person sentences are reporting even inside an appeal block: keep them.
            _drop([line for line in members if _voiced(line.text) or _is_fragment(line.text)])


def _drop_appeal_runs(lines: list[_Line]) -> None:
    """Drop runs of consecutive appeal-like lines that hold two appeals or more."""
    run: list[_Line] = []
    for line in [*lines, _Line("", -1)]:
        if line.appeal_like:
            run.append(line)
        elif line.kind is None:
            if sum(item.appeal_weight for item in run) >= 2:
                _drop(run)
            run = []


def _drop_appeal_tail(lines: list[_Line]) -> None:
    """Drop the trailing run of appeals, widget labels and fragments ("... a small favor")."""
    run: list[_Line] = []
    for line in reversed(lines):
        if line.kind is None and not _tail_like(line):
            break
        run.append(line)
    # An explicit call to action weighs double: it is what such a closing block is for.
    if sum(line.appeal_weight + line.strong for line in run) >= 2:
        _drop(run)


def _tail_like(line: _Line) -> bool:
    """Part of a closing appeal: partly an appeal, or a short fragment ("Thank you.")."""
    if line.appeals > 0 and line.appeals * 3 >= line.sentences:
        return True
    return _is_fragment(line.text)


def _is_fragment(text: str) -> bool:
    """A few words that are not a sentence ("Choose an amount"), or a short "Thank you."."""
    if len(text.split()) > 4:
        return False
    return not p.SENTENCE_END.search(text) or bool(p.READER_VOICE.search(text))


def _voiced(text: str) -> bool:
    """The site's own voice: "we"/"our" or "you" outside quotation marks."""
    unquoted = " ".join(s for s, quoted in _sentences(text) if not quoted)
    return bool(p.SITE_VOICE.search(unquoted) or p.READER_VOICE.search(unquoted))


def _drop(lines: list[_Line]) -> None:
    """Mark lines that are still kept as part of an appeal."""
    for line in lines:
        if line.kind is None:
            line.kind = "appeal"
