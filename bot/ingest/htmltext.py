"""HTML fragments → plain text: titles on one line, bodies one paragraph per line.

For the HTML that is not a whole page: feed titles and entry contents, and the article
fragment the fallback extractor returns. Whole pages go through `bot.ingest.extract`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "pre", "tr", "table", "section", "article", "header", "footer", "figure", "figcaption",
     "dd", "dt", "dl", "hr", "aside", "nav", "main", "address", "details", "summary"}
)  # fmt: skip
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})


class _TextCollector(HTMLParser):
    """Collects visible text, starting a new line at every block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _collect(html: str) -> str:
    """The visible text of an HTML fragment, with newlines at block boundaries."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    return "".join(collector.parts)


def html_to_text(html: str) -> str:
    """An HTML fragment as plain text: one paragraph per line, whitespace normalized."""
    lines = (_SPACE.sub(" ", line).strip() for line in _collect(html).split("\n"))
    return "\n".join(line for line in lines if line)


def strip_tags(html: str) -> str:
    """Text of a one-line HTML fragment (a title): tags removed, entities decoded."""
    text = _collect(html) if "<" in html or "&" in html else html
    return " ".join(text.split())
