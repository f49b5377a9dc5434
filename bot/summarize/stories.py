"""Story grouping: articles that carry the same text (wire copies, re-posts, trimmed versions).

Two articles tell the same story when their whole-text tf-idf vectors are nearly parallel, or
when most sentences of the shorter one reappear, nearly word for word, in the other. Groups are
the connected components of that relation; a group counts once in a topic summary and its
other members are listed as "also reported by".

The thresholds were checked on ../shared/eval/bbc_news.jsonl, a topic-labelled corpus and not
a summarization test set (`python benchmarks/story_grouping.py`): in 30 draws of 20 articles
from one BBC category, 1 of 5,700 distinct pairs was joined (two reports of the same book
prize win, which do tell one story), and all 30 re-posts (a third of the sentences dropped,
two swapped, a boilerplate line added) were joined to their originals. A shared share of 0.5
also joined two different days of one trial, whose background paragraphs repeat; 0.6 does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.summarize.vectors import Ints, Mask, Matrix, dense_tfidf, row_of_entries

if TYPE_CHECKING:
    from scipy import sparse


@dataclass(frozen=True, slots=True)
class GroupingParams:
    """When two articles are the same story."""

    same_text: float = 0.8  # whole-article tf-idf cosine
    same_sentence: float = 0.8  # sentence cosine that makes two sentences "the same"
    shared_share: float = 0.6  # share of the shorter article's sentences found in the other


DEFAULT_GROUPING = GroupingParams()


def article_matrix(owner: Ints, articles: int) -> Matrix:
    """An articles × sentences indicator: row a has a 1 for each sentence of article a
    (dense: a topic has a few dozen articles and a few hundred sentences)."""
    owned = np.asarray(owner)[None, :] == np.arange(articles)[:, None]
    return np.asarray(owned, dtype=np.float64)


def shared_sentences(similar: Matrix, membership: Matrix) -> Matrix:
    """For articles a, b: the share of a's sentences that have a near-copy in b."""
    found = np.asarray(similar @ membership.T > 0, dtype=np.float64)  # sentences × articles
    per_pair = membership @ found  # a × b: a's sentences with a copy in b
    sizes = np.maximum(membership.sum(axis=1), 1.0)
    return np.asarray(per_pair / sizes[:, None], dtype=np.float64)


def article_cosines(counts: sparse.csr_matrix, owner: Ints, articles: int) -> Matrix:
    """Cosines of the articles' whole-text tf-idf vectors (sublinear tf, idf over the
    articles), as `tfidf` and `cosine_matrix` compute them on sparse rows, here dense."""
    width = counts.shape[1]
    entries = np.asarray(owner)[row_of_entries(counts)] * width + counts.indices
    summed = np.bincount(entries, weights=counts.data, minlength=articles * width)
    unit = dense_tfidf(np.asarray(summed, dtype=np.float64).reshape(articles, width))
    return np.asarray(unit @ unit.T, dtype=np.float64)


def same_story(
    counts: sparse.csr_matrix,
    sentence_similarity: Matrix,
    owner: Ints,
    articles: int,
    params: GroupingParams = DEFAULT_GROUPING,
) -> Mask:
    """A boolean articles × articles matrix: True where two articles tell the same story."""
    membership = article_matrix(owner, articles)
    same = article_cosines(counts, owner, articles) >= params.same_text
    similar = (sentence_similarity >= params.same_sentence) & (
        np.asarray(owner)[:, None] != np.asarray(owner)[None, :]
    )
    shared = shared_sentences(similar.astype(np.float64), membership)
    shorter_side = np.maximum(shared, shared.T)  # the shorter article's share is the larger one
    return np.asarray(same | (shorter_side >= params.shared_share), dtype=bool)


def _components(same: Mask) -> list[int]:
    """The connected component of each article (a root index), `same` read as undirected.

    A union-find over a few dozen articles: scipy.sparse.csgraph would cost 13 MB of memory
    for this one call.
    """
    parent = list(range(len(same)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for a, b in zip(*np.nonzero(np.asarray(same)), strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(index) for index in range(len(parent))]


def group_stories(same: Mask, sizes: Sequence[float] | Matrix) -> list[tuple[int, ...]]:
    """Stories as tuples of article indices, the longest (`sizes`) first, in first-seen order."""
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(_components(same)):
        groups.setdefault(label, []).append(index)
    stories = [tuple(sorted(g, key=lambda i: (-sizes[i], i))) for g in groups.values()]
    return sorted(stories, key=min)
