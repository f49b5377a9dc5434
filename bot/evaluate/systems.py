"""The systems an evaluation compares, each a function from a prepared item to summary sentences.

Single articles: every registered method through the bot's own `Summarizer` (same splitter,
same fragment rule, same sentence budget), and the greedy oracle over the same sentences.
Clusters: round-robin lead, each registered method on the articles joined into one document
(sentences taken in rank order until the word budget), our topic summarizer, and the oracle.
Every multi-document output is cut to the same word budget: a fixed one (250 words, as the
literature reports), or with `words=0` the length of the bot's own /summary answer for that
cluster (`topic_budget`, 50 words per article, and at most `TOPIC_SENTENCES` sentences per
story and `extra_per_story` more, which can leave the answer shorter than its budget): every
system then gets exactly as many words as the bot's answer has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, zip_longest
from typing import Any

from bot.evaluate.datasets import Item, Kind
from bot.evaluate.rouge import greedy_oracle
from bot.models import Article
from bot.summarize import Summarizer, build_summarizer, make_tokenizer
from bot.summarize.document import (
    build_document,
    cap_sentences,
    drop_fragments,
    parse_paragraphs,
)
from bot.summarize.registry import DEFAULT_METHOD, sentence_cap
from bot.summarize.service import TOPIC_SENTENCES, topic_budget, topic_choice
from bot.summarize.topic import DEFAULT_TOPIC, TopicParams, pick_sentences

ORACLE = "oracle"
LEAD = "lead"
TOPIC = "topic"


@dataclass(frozen=True, slots=True)
class Prepared:
    """An item with its language known (detected once, outside the timed call)."""

    item: Item
    language: str


System = Callable[[Prepared], list[str]]


def doc_sentences(text: str, language: str, title: str = "") -> list[str]:
    """A text's sentences as the bot splits them, fragments dropped when others remain."""
    tokenizer = make_tokenizer(language)
    paragraphs = drop_fragments(parse_paragraphs(text, tokenizer, title or None))
    return [str(s) for paragraph in paragraphs for s in paragraph]


def truncate_words(sentences: Sequence[str], words: int) -> list[str]:
    """The sentences until `words` words, the last one cut at the budget."""
    kept: list[str] = []
    room = words
    for sentence in sentences:
        if room <= 0:
            break
        tokens = sentence.split()
        kept.append(sentence if len(tokens) <= room else " ".join(tokens[:room]))
        room -= len(tokens)
    return kept


class _RankedBudget:
    """A sumy `count` that takes sentences in rank order until a word budget, recording them."""

    def __init__(self, words: int) -> None:
        self.words = words
        self.picked: list[Any] = []

    def __call__(self, infos: Sequence[Any]) -> list[Any]:
        """The best-rated sentences (sumy passes them best first) until the budget is reached."""
        total = 0
        for info in infos:
            if total >= self.words:
                break
            self.picked.append(info.sentence)
            total += len(str(info.sentence).split())
        return list(infos[: len(self.picked)])


def _single_method(name: str, sentences: int) -> System:
    """A registered method run by the bot's Summarizer on one article."""
    summarizer = Summarizer(name, sentences)

    def run(prepared: Prepared) -> list[str]:
        item = prepared.item
        title = item.titles[0] if item.titles else ""
        return summarizer.summarize_text(item.docs[0], language=prepared.language, title=title)

    return run


def _single_oracle(sentences: int) -> System:
    """The greedy oracle over an article's sentences."""

    def run(prepared: Prepared) -> list[str]:
        item = prepared.item
        candidates = doc_sentences(item.docs[0], prepared.language)
        return greedy_oracle(candidates, item.reference, count=sentences)

    return run


def _articles(prepared: Prepared) -> list[Article]:
    """A cluster's documents as articles (titles when the dataset has them)."""
    item = prepared.item
    titles = list(item.titles) + [""] * (len(item.docs) - len(item.titles))
    return [
        Article(title=title, text=doc, language=prepared.language, source=f"doc {i}")
        for i, (doc, title) in enumerate(zip(item.docs, titles, strict=False))
    ]


def answer(prepared: Prepared, words: int = 0, params: TopicParams = DEFAULT_TOPIC) -> list[str]:
    """Our topic summary of a cluster: `words` long (the concept cover), or with 0 what the
    bot's /summary answer shows: the cover, or for a cluster of one story that article's own
    summary by the default method (`topic_choice`)."""
    articles = _articles(prepared)
    limit = words or topic_budget(len(articles))
    if words:
        picks = pick_sentences(articles, words=limit, per_story=None, params=params)
        return truncate_words([pick.text for pick in picks.picks], limit)
    chosen, own = topic_choice(
        DEFAULT_METHOD, TOPIC_SENTENCES, articles, limit, TOPIC_SENTENCES, "", params
    )
    return truncate_words(list(own) if own is not None else [p.text for p in chosen.picks], limit)


@lru_cache(maxsize=1024)
def _answer_words(prepared: Prepared) -> int:
    """How many words the bot's /summary answer for this cluster has."""
    return sum(len(sentence.split()) for sentence in answer(prepared))


def cluster_budget(prepared: Prepared, words: int) -> int:
    """The word budget for a cluster: `words`, or with 0 the bot's answer's length."""
    return words or _answer_words(prepared)


def _cluster_sentences(prepared: Prepared) -> list[list[str]]:
    """Each article's sentences."""
    return [doc_sentences(doc, prepared.language) for doc in prepared.item.docs]


def _round_robin(words: int) -> System:
    """Round-robin lead: each article's first sentence in turn, then the second, ..."""

    def run(prepared: Prepared) -> list[str]:
        turns = zip_longest(*_cluster_sentences(prepared))
        sentences = [s for s in chain.from_iterable(turns) if s]
        return truncate_words(sentences, cluster_budget(prepared, words))

    return run


def _joined_method(name: str, words: int) -> System:
    """A registered method on the cluster joined into one document, best sentences first."""

    def run(prepared: Prepared) -> list[str]:
        tokenizer = make_tokenizer(prepared.language)
        paragraphs = tuple(
            paragraph
            for doc in prepared.item.docs
            for paragraph in drop_fragments(parse_paragraphs(doc, tokenizer))
        )
        document = build_document(cap_sentences(paragraphs, sentence_cap(name)), tokenizer)
        limit = cluster_budget(prepared, words)
        budget = _RankedBudget(limit)
        build_summarizer(name, prepared.language)(document, budget)  # type: ignore[arg-type]
        return truncate_words([str(s) for s in budget.picked], limit)

    return run


def _topic(words: int) -> System:
    """Our multi-document summarizer: stories grouped, what most of them report covered."""

    def run(prepared: Prepared) -> list[str]:
        return answer(prepared, words)

    return run


def _multi_oracle(words: int) -> System:
    """The greedy oracle over all the cluster's sentences, to the word budget."""

    def run(prepared: Prepared) -> list[str]:
        candidates = [s for doc in _cluster_sentences(prepared) for s in doc]
        limit = cluster_budget(prepared, words)
        picked = greedy_oracle(candidates, prepared.item.reference, words=limit)
        return truncate_words(picked, limit)

    return run


def make_system(name: str, kind: Kind, sentences: int, words: int) -> System:
    """The system called `name` for single articles or for clusters."""
    if kind == "single":
        return _single_oracle(sentences) if name == ORACLE else _single_method(name, sentences)
    if name == ORACLE:
        return _multi_oracle(words)
    if name == LEAD:
        return _round_robin(words)
    if name == TOPIC:
        return _topic(words)
    return _joined_method(name, words)
