"""Telegram message text: HTML escaping and splitting into messages Telegram accepts.

Telegram caps a message at 4096 characters counted in UTF-16 code units. We count the raw
HTML (tags included), which is never less than what Telegram counts, so a chunk that fits
here always fits there. Chunks break at paragraph ends, then line ends, then spaces, never
inside a tag or an entity; tags open at a break are closed and reopened in the next chunk.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Article

MAX_MESSAGE = 4096
WIKINEWS_LICENSE = "https://creativecommons.org/licenses/by/2.5/"
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|\n\s*|[^\S\n]+|[^<&\s]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (`<`, `>`, `&`)."""
    return html.escape(text, quote=False)


def escape_attr(text: str) -> str:
    """Escape a value for use inside a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def link(url: str, label: str) -> str:
    """An HTML link with escaped label and URL."""
    return f'<a href="{escape_attr(url)}">{escape(label)}</a>'


def date_label(when: datetime | None) -> str:
    """A date as replies show it (YYYY-MM-DD), or "undated"."""
    return when.strftime("%Y-%m-%d") if when else "undated"


def credit(article: Article) -> str:
    """Source and date of an article, with the licence link that Wikinews text requires."""
    line = f"{escape(article.source or 'unknown source')}, {date_label(article.published)}"
    if article.source == "Wikinews":
        line += f" ({link(WIKINEWS_LICENSE, 'CC BY 2.5')})"
    return line


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units (with "…" when cut), never mid-character."""
    if utf16_len(text) <= limit:
        return text
    kept, size = [], 1  # room for the ellipsis
    for char in text:
        size += utf16_len(char)
        if size > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _atoms(text: str, longest: int) -> list[str]:
    """Tags, entities, whitespace runs and words; words longer than `longest` are cut.

    Tags are never cut: a piece of a tag (say, a link to a long URL) is HTML Telegram refuses.
    """
    atoms: list[str] = []
    for atom in _ATOM.findall(text):
        while utf16_len(atom) > longest and not _TAG.fullmatch(atom):
            atoms.append(atom[:longest])
            atom = atom[longest:]
        atoms.append(atom)
    return atoms


@dataclass
class _Tags:
    """The stack of tags open at some point of the text."""

    open: list[tuple[str, str]] = field(default_factory=list)

    def after(self, atom: str) -> _Tags:
        """The stack after `atom` (a copy; unchanged unless `atom` is a tag)."""
        match = _TAG.fullmatch(atom)
        if not match:
            return self
        tags = list(self.open)
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            tags.append((name, atom))
        elif any(n == name for n, _ in tags):
            while tags and tags.pop()[0] != name:
                pass
        return _Tags(tags)

    def opening(self) -> str:
        """The tags to reopen at the start of the next chunk."""
        return "".join(tag for _, tag in self.open)

    def closing(self) -> str:
        """The tags to close at the end of this chunk, innermost first."""
        return "".join(f"</{name}>" for name, _ in reversed(self.open))


def _best_break(breaks: list[tuple[int, str, _Tags]], start: int, end: int) -> int | None:
    """Index of the best break in a full chunk: paragraph, then line end, then space."""
    half = start + (end - start) // 2
    for kind in ("\n\n", "\n", " "):
        for index, atom, _ in reversed(breaks):
            if index > half and kind in atom:
                return index
    return breaks[-1][0] if breaks else None


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML `text` into chunks of at most `limit` UTF-16 units; blank chunks dropped."""
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    atoms = _atoms(text, max(1, limit // 8))
    chunks: list[str] = []
    tags = _Tags()
    start = 0
    while start < len(atoms):
        head = tags.opening()
        size, state, end = utf16_len(head), tags, start
        breaks: list[tuple[int, str, _Tags]] = []
        while end < len(atoms):
            after = state.after(atoms[end])
            cost = utf16_len(atoms[end])
            if size + cost + utf16_len(after.closing()) > limit:
                break
            size, state, end = size + cost, after, end + 1
            if atoms[end - 1].isspace():
                breaks.append((end, atoms[end - 1], state))
        if end < len(atoms):
            cut = _best_break(breaks, start, end)
            if cut is not None and cut > start:
                end, state = cut, next(s for i, _, s in breaks if i == cut)
            end = max(end, start + 1)
        body = "".join(atoms[start:end])
        chunk = (head + body + state.closing()).strip()
        if body.strip():
            chunks.append(chunk)
        tags, start = state, end
    return chunks
