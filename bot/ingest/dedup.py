"""Near-duplicate detection: MinHash signatures over word shingles, banded for lookup.

Exact layers (feed entry id, normalized URL, canonical URL, body hash) live in the pipeline
and the store. This module covers the last layer: two texts whose 4-word shingle sets are
similar. A signature is `NUM_PERM` MinHash values (datasketch, over CRC-32 hashes of the
shingles: stable across processes and much faster than the default SHA-1); it is cut into
`BANDS` bands of `ROWS` values, and articles sharing any band key are candidates, then
checked on the estimated Jaccard similarity. With 42 bands of 3 rows, pairs at similarity 0.4 become
candidates 94% of the time, pairs at 0.1 only 4%.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from bot.models import Fingerprint

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
BANDS, ROWS = 42, 3
SHINGLE_WORDS = 4
STORY_SIMILARITY = 0.4  # Jaccard estimate from which two articles tell one story
STORY_CONTAINMENT = 0.8  # ... or when most of the shorter one is inside the longer one
MIN_CONTAINMENT_SIMILARITY = 0.15
SAME_ARTICLE_SIMILARITY = 0.5  # a canonical-URL match below this is a different article
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    """The text's distinct runs of `SHINGLE_WORDS` lower-case words."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    runs = zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False)
    return {" ".join(run).encode() for run in runs}


@cache
def _template() -> MinHash:
    """An empty MinHash whose permutations (seed 1) every fingerprint reuses: drawn once.

    datasketch is imported here, on the first fingerprint: it loads scipy.integrate (~20 MB),
    which a bot that ingests nothing never needs.
    """
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32)


def fingerprint(text: str) -> Fingerprint | None:
    """The MinHash fingerprint of a text, or None when it has no words."""
    grams = shingles(text)
    if not grams:
        return None
    template = _template()
    minhash = type(template)(
        num_perm=NUM_PERM,
        hashfunc=zlib.crc32,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    minhash.update_batch(list(grams))
    values = np.asarray(minhash.hashvalues, dtype=np.uint32)
    return Fingerprint(values=values.tobytes(), shingles=len(grams), bands=band_keys(values))


def band_keys(values: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit key per band (the band's number is part of the key)."""
    keys: list[int] = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return tuple(keys)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    left = np.frombuffer(a.values, dtype=np.uint32)
    right = np.frombuffer(b.values, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / NUM_PERM


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller text's shingles that the other text also has."""
    jaccard = similarity(a, b)
    common = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return min(1.0, common / max(1, min(a.shingles, b.shingles)))


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Near-duplicates, or strongly overlapping texts: one story."""
    jaccard = similarity(a, b)
    if jaccard >= STORY_SIMILARITY:
        return True
    # Containment is estimated from the Jaccard value, which is too noisy below this.
    return jaccard >= MIN_CONTAINMENT_SIMILARITY and containment(a, b) >= STORY_CONTAINMENT


def best_match(new: Fingerprint, known: list[Fingerprint]) -> Fingerprint | None:
    """The known article most similar to `new` if they tell the same story, else None."""
    matches = [(similarity(new, other), other) for other in known if same_story(new, other)]
    return max(matches, key=lambda pair: pair[0])[1] if matches else None
