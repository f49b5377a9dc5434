"""The summarization service handlers call: text, article and topic summaries, sync and async.

The CPU work is synchronous; the `article` and `topic` coroutines run it off the event loop:
on a worker thread (`asyncio.to_thread`), or, with `workers` > 0, in that many worker
processes, so summaries use the other cores instead of queueing for the GIL behind the
bot's own work (the process is otherwise bound to one core), and the bot process never
loads the summarizers' libraries. Only the sentence choice runs there: the articles go in,
the sentences come back, the answer is assembled here.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from bot.models import Article, ArticleSummary, TopicSummary
from bot.summarize.document import (
    Paragraphs,
    build_document,
    cap_sentences,
    count_sentences,
    drop_fragments,
    parse_paragraphs,
    sentence_texts,
)
from bot.summarize.hygiene import whole_quotes
from bot.summarize.language import detect_language
from bot.summarize.registry import (
    DEFAULT_METHOD,
    SENTENCE_CAPS,
    Length,
    build_summarizer,
    parse_length,
    resolve_count,
    resolve_method,
    sentence_cap,
)
from bot.summarize.tokenizer import make_tokenizer
from bot.summarize.topic import DEFAULT_TOPIC, Pick, TopicParams, TopicPicks, pick_sentences

logger = logging.getLogger(__name__)
R = TypeVar("R")

# Words in an average news sentence: the default topic budget is this many per sentence asked.
SENTENCE_WORDS = 25
# Sentences per story in a topic answer, before the user asks for Shorter or Longer.
TOPIC_SENTENCES = 2


def topic_budget(articles: int, per_story: int = TOPIC_SENTENCES) -> int:
    """The words a topic answer over `articles` articles may use by default."""
    return SENTENCE_WORDS * per_story * articles


def _capped(paragraphs: Paragraphs, method: str) -> Paragraphs:
    """The paragraphs cut to the method's sentence budget, logging when that drops sentences."""
    cap, total = sentence_cap(method), count_sentences(paragraphs)
    if total <= cap:
        return paragraphs
    logger.debug("%s reads the first %d of %d sentences (its sentence budget)", method, cap, total)
    return cap_sentences(paragraphs, cap)


def _topic_length(
    articles: Sequence[Article], sentences_per_article: Length, words: int | None
) -> tuple[int, int]:
    """Sentences per story and the word budget of a topic summary (see `summarize_topic`)."""
    per_story = resolve_count(sentences_per_article, DEFAULT_TOPIC.per_article)
    return per_story, words if words is not None else topic_budget(len(articles), per_story)


def _position(pick: Pick) -> int:
    """Where a picked sentence stands in its article."""
    return pick.position


def _stories(
    articles: Sequence[Article], chosen: TopicPicks, own: tuple[str, ...] | None = None
) -> tuple[ArticleSummary, ...]:
    """The chosen sentences grouped by story, each story's in document order (`own`: the
    sentences of the one story, when `topic_choice` gave them)."""
    told: list[ArticleSummary] = []
    untold: list[ArticleSummary] = []
    for story in chosen.stories:
        picks = sorted((p for p in chosen.picks if p.article == story[0]), key=_position)
        item = ArticleSummary(
            article=articles[story[0]],
            # `own` comes from summarize_article, whose quotes are whole already
            sentences=own if own is not None else whole_quotes(tuple(p.text for p in picks)),
            also=tuple(articles[i] for i in story[1:]),
        )
        (told if item.sentences else untold).append(item)
    return (*told, *untold)


def topic_choice(
    method: str,
    default: Length,
    articles: Sequence[Article],
    words: int,
    per_story: int,
    query: str,
    params: TopicParams = DEFAULT_TOPIC,
) -> tuple[TopicPicks, tuple[str, ...] | None]:
    """The topic method's picks, and for an answer of one story that story's own summary by
    the configured article method (`per_story` sentences): covering concepts is for several
    stories; on single articles it falls 5-12 ROUGE-1 below the article method
    (docs/quality.md). Runs in a worker process or on a thread; `newsbot eval` scores it."""
    if len(articles) == 1:  # one story, and no cover to compute for it
        chosen = TopicPicks((), ((0,),))
    else:
        chosen = pick_sentences(
            articles,
            words=words,
            per_story=per_story,
            query=query,
            params=params,
            one_story_picks=False,
        )
        if len(chosen.stories) != 1:
            return chosen, None
    shown = articles[chosen.stories[0][0]]
    return chosen, _worker_summarizer(method, default).summarize_article(shown, per_story).sentences


def _warm_worker() -> None:
    """A worker process's start: leave Ctrl-C to the bot (which stops the workers; a worker
    interrupted while waiting would print a traceback) and load what the first summary would."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Summarizer().warm_up()


def _ready() -> None:
    """Nothing: run in a worker process, it returns once that process has started."""


@functools.cache
def _worker_summarizer(method: str, sentences: Length) -> Summarizer:
    """A worker process's summarizer for the bot's configured method and length."""
    return Summarizer(method, sentences)


def _article_sentences(
    method: str, default: Length, article: Article, sentences: Length | None
) -> tuple[str, ...]:
    """In a worker process: the summary sentences of one article."""
    return _worker_summarizer(method, default).summarize_article(article, sentences).sentences


class Summarizer:
    """Extractive summaries with one configured method and length; safe to share across threads."""

    def __init__(
        self, method: str = DEFAULT_METHOD, sentences: Length = 3, workers: int = 0
    ) -> None:
        """`workers`: processes for the async summaries (0: a thread of this process)."""
        self._method = resolve_method(method)
        self._sentences = parse_length(sentences)
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if self._method in SENTENCE_CAPS:
            logger.info(
                "%s grows faster than n²: it reads only the first %d sentences of each text",
                self._method,
                SENTENCE_CAPS[self._method],
            )

    @property
    def method(self) -> str:
        """The registered name of the default method."""
        return self._method

    @property
    def sentences(self) -> Length:
        """The default summary length."""
        return self._sentences

    def summarize_text(
        self,
        text: str,
        *,
        language: str | None = None,
        sentences: Length | None = None,
        method: str | None = None,
        title: str | None = None,
        spans: str = "",
    ) -> list[str]:
        """The summary sentences of a text, in document order; short texts come back whole.

        `spans`: where ingestion split the text (`Article.sentence_spans`), if known.
        """
        if not text.strip():
            return []
        language = language or detect_language(text)
        tokenizer = make_tokenizer(language)
        paragraphs = parse_paragraphs(text, tokenizer, title, spans)
        total = count_sentences(paragraphs)
        count = resolve_count(self._sentences if sentences is None else sentences, total)
        if total <= count:
            return [str(s) for paragraph in paragraphs for s in paragraph]
        candidates = drop_fragments(paragraphs)
        if count_sentences(candidates) <= count:
            return [str(s) for paragraph in candidates for s in paragraph]
        name = resolve_method(method or self._method)
        candidates = _capped(candidates, name)
        summarizer = build_summarizer(name, language)
        document = build_document(candidates, tokenizer, title)
        return sentence_texts(summarizer(document, count))

    def summarize_article(
        self, article: Article, sentences: Length | None = None
    ) -> ArticleSummary:
        """The summary of one stored article, in its own language; the title is never a sentence."""
        picked = self.summarize_text(
            article.text,
            language=article.language or None,
            sentences=sentences,
            title=article.title,
            spans=article.sentence_spans,
        )
        return ArticleSummary(article=article, sentences=whole_quotes(tuple(picked)))

    def summarize_topic(
        self,
        query: str,
        articles: Sequence[Article],
        sentences_per_article: Length = 2,
        *,
        words: int | None = None,
    ) -> TopicSummary:
        """One item per story: sentences picked across stories, within a word budget.

        Articles carrying the same text form one story, shown once with the others as `also`.
        A story gives at most `sentences_per_article` sentences (a percentage is of the
        sentences read per article). The budget is `words`, or by default room for that many
        average sentences per article (250 words for 5 articles at 2 sentences), so "longer"
        answers grow with the sentences asked for. Stories keep the store's order; those the
        budget left without sentences come last, with none. An answer of one story is that
        story's own summary by the configured method (see `topic_choice`).
        """
        per_story, budget = _topic_length(articles, sentences_per_article, words)
        chosen, own = topic_choice(
            self._method, self._sentences, articles, budget, per_story, query
        )
        return TopicSummary(query=query, items=_stories(articles, chosen, own))

    def warm_up(self) -> None:
        """Load what the first summary would (language model, English tokenizer, stop words).

        Loading takes most of a second; done at start-up, no user waits for it.
        """
        text = "The council met on Monday. It approved the new budget for schools and roads."
        self.summarize_topic("budget", [Article(title="Council budget", text=text)], 1)

    async def warm(self) -> None:
        """`warm_up` where summaries will run: the worker processes (started now), or here."""
        if self._workers > 0:
            await self._in_worker(_ready)
        else:
            await asyncio.to_thread(self.warm_up)

    async def article(self, article: Article, sentences: Length | None = None) -> ArticleSummary:
        """`summarize_article` on a worker thread, or in a worker process."""
        if self._workers <= 0:
            return await asyncio.to_thread(self.summarize_article, article, sentences)
        work = functools.partial(
            _article_sentences, self._method, self._sentences, article, sentences
        )
        return ArticleSummary(article=article, sentences=await self._in_worker(work))

    async def topic(
        self,
        query: str,
        articles: Sequence[Article],
        sentences_per_article: Length = 2,
        *,
        words: int | None = None,
    ) -> TopicSummary:
        """`summarize_topic` on a worker thread, or its sentence choice in a worker process."""
        if self._workers <= 0 or not articles:
            return await asyncio.to_thread(
                self.summarize_topic, query, articles, sentences_per_article, words=words
            )
        per_story, budget = _topic_length(articles, sentences_per_article, words)
        work = functools.partial(
            topic_choice, self._method, self._sentences, list(articles), budget, per_story, query
        )
        chosen, own = await self._in_worker(work)
        return TopicSummary(query=query, items=_stories(articles, chosen, own))

    async def _in_worker(self, work: Callable[[], R]) -> R:
        """`work` in a worker process; on a thread when that process died (killed, out of
        memory), and the next call starts new processes."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self.start_workers(), work)
        except BrokenProcessPool:
            logger.warning("a summary process died; this answer runs on a thread")
            self.close()
            return await asyncio.to_thread(work)

    def start_workers(self) -> ProcessPoolExecutor:
        """The worker processes, started (and warmed up) on first use; `workers` must be > 0."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded process
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=_warm_worker
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any were started (the next topic starts new ones)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
