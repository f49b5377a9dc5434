"""Lines that repeat across a site's articles are the site's furniture, not news.

Each line is reduced to a short key (case, spacing and digits folded, so "Updated 12:04"
and "Updated 09:15" agree). The store counts, per site, how many distinct articles carried
each key; a key seen in `MIN_ARTICLES` or more articles is dropped from every article of that
site. Counting happens before filtering, so a batch of new articles teaches itself.
"""

from __future__ import annotations

import hashlib
import re

MIN_ARTICLES = 3
_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """The key that identifies a line across articles."""
    folded = _DIGITS.sub("0", " ".join(line.split()).casefold())  # split(): any whitespace
    return hashlib.blake2b(folded.encode("utf-8", "replace"), digest_size=8).hexdigest()


def line_keys(text: str) -> frozenset[str]:
    """The distinct keys of a text's non-blank lines."""
    return frozenset(line_key(line) for line in text.split("\n") if line.strip())


def drop_known(text: str, boilerplate: frozenset[str]) -> str:
    """The text without the lines whose keys are the site's boilerplate."""
    if not boilerplate:
        return text
    kept = (line for line in text.split("\n") if line_key(line) not in boilerplate)
    return "\n".join(kept)
