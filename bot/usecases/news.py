"""The bot's use cases: find stored news and summarize it. Handlers call these, nothing else."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Sequence

from bot import spelling
from bot.context import Resources
from bot.models import Article, ArticleSummary, Count, TopicSummary
from bot.store import fts
from bot.summarize.service import TOPIC_SENTENCES as TOPIC_SENTENCES

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")


def clean_query(raw: str) -> str:
    """User text made safe to search for: no control or invisible marks, single spaces."""
    text = raw.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    text = _INVISIBLE.sub("", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


# How people ask for news in a sentence rather than a topic: the frame around the topic
# ("what's going on with", "новости о", "关于 … 的新闻"), taken off so the topic's own words
# are searched ("going" is no topic word) and named in the answer.
_ASKED = re.compile(
    r"""^(?:please\s+|pls\s+)?(?:
        what(?:'s|’s|\s+is|\s+are)\s+(?:going\s+on|happening|new|up)\s+
            (?:with|in|on|at|about|around|for)\s+
      | what(?:'s|’s|\s+has)?\s+happened\s+(?:to|with|in|at|on)\s+
      | what(?:'s|’s|\s+is|\s+are)\s+the\s+(?:latest|news|updates?)\s+
            (?:on|about|with|from|in|regarding)\s+
      | (?:tell\s+me|talk\s+to\s+me)\s+(?:the\s+(?:latest\s+)?news\s+)?(?:about|on)\s+
      | (?:any|the|latest|recent)(?:\s+(?:latest|recent))?\s+(?:news|updates?|stories)\s+
            (?:on|about|from|in|regarding)\s+
      | (?:news|updates?|stories)\s+(?:on|about|from|regarding)\s+
      | (?:the\s+)?latest\s+(?:on|about|from)\s+
      | what\s+about\s+
      | что\s+(?:нового|происходит|слышно|случилось|произошло)\s+(?:в|во|с|со|у|о|об|про|на)\s+
      | (?:последние\s+)?новости(?:\s+(?:о|об|про|из|с))?\s+
      | расскажи(?:те)?\s+(?:о|об|про)\s+
      | 关于 | 關於
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_ASKED_END = re.compile(r"(?: lately|的(?:最新)?(?:新闻|新聞|消息))$")
_MARKS = " ?!.？！。"
# "Brexit news", "Путин новости": after a name (a capital first) the word asks for news. Not
# "fake news" or "Fox News", which are topics.
_NEWS_ENDS = (" news", " updates", " новости")


def topic_of(text: str) -> str:
    """The topic in what a user typed: `clean_query`, without a question's frame around it
    ("what's going on with the economy?" → "the economy"); the text itself when nothing
    would be left."""
    query = clean_query(text)  # single spaces: no pattern here can backtrack over a run
    topic = _ASKED_END.sub("", _ASKED.sub("", query, count=1).rstrip(_MARKS)).rstrip(_MARKS)
    if topic[:1].isupper() and topic.endswith(_NEWS_ENDS):
        topic = topic.rsplit(" ", 1)[0]
    return topic if searchable(topic) else query


def searchable(query: str) -> bool:
    """Whether `query` holds a word the store can search for: not only the commonest words
    ("the", "and", "в") or signs ("???"), which every article or none would match."""
    return bool(fts.query_terms(query))


CLOSEST = 2  # articles offered, labelled "closest", when none is about the topic


async def summarize_topic(
    resources: Resources, query: str, *, skip: int = 0, sentences: int = TOPIC_SENTENCES
) -> TopicSummary:
    """The most relevant recent articles on `query` after the first `skip`, summarized.

    Answers are cached per store version (`bot.answer_cache`): a new or changed article
    makes the next request compute afresh — at once when this process wrote it, within
    TOPIC_FRESH_SECONDS when another process did (ingest CLI, other instances).
    """

    limit = resources.settings.topic_articles

    async def compute_new() -> tuple[TopicSummary, str]:
        """Search and summarize, uncached; with the store version read before the search."""
        found, version = await resources.store.search_with_version(query, limit=skip + limit)
        if found[skip:]:
            _prefetch_topic_id(resources, query)
        return await resources.summarizer.topic(query, found[skip:], sentences), version

    async def compute() -> TopicSummary:
        """Search and summarize, uncached (the version is known already)."""
        return (await compute_new())[0]

    cache = resources.topic_cache
    key, local = (query, skip, sentences), str(resources.store.local_writes)
    fresh = resources.settings.topic_fresh_seconds
    recent = cache.recent(key, local, fresh) if fresh > 0 else None
    if recent is not None:  # no store query: see TOPIC_FRESH_SECONDS
        return recent
    if not cache.has(key):  # a topic new here: no version to compare, so none asked apart
        return await cache.compute_new(key, compute_new, local)
    version = await resources.store.articles_version()
    return await cache.get_or_compute(key, version, compute, local)


async def closest(resources: Resources, query: str) -> list[Article]:
    """When nothing stored is about `query`: the nearest articles, to offer as such."""
    return await resources.store.closest(query, limit=CLOSEST)


SPELLING_SECONDS = 600.0  # how long the vocabulary of recent headlines is kept
# A topic with more words than this that no headline has is not a misspelling to mend (and
# each costs a store query and up to ~0.1 s of matching): nothing is suggested.
MAX_RESPELT = 4


async def did_you_mean(
    resources: Resources, query: str, closest: Sequence[Article] | None = None
) -> str | None:
    """When nothing stored is about `query`: the topic with its misspelt words corrected, or
    else also with names written in the other script ("Putin" → «Путин»), whichever first
    has an answer (`bot.spelling`). A word is looked at when no recent headline has it; it
    is misspelt when no stored article has it either (`closest`, the topic's closest
    articles if already read: none means no article has any of its words, so none is asked
    for). None when there is nothing to suggest."""
    words = query.split()
    known = await resources.spelling.get_or_compute("", "", lambda: _vocabulary(resources))
    unknown = [
        index
        for index, word in enumerate(words)
        if spelling.WORD.fullmatch(word)
        and spelling.edits_allowed(word)
        and word.casefold() not in known.counts
        and fts.query_terms(word)  # not a stop word
    ]
    if not unknown or len(unknown) > MAX_RESPELT:
        return None
    respelt, crossed = list(words), list(words)
    unshared = closest is not None and not closest  # no stored article has any of its words
    for index in unknown:
        word = words[index]
        misspelt = unshared or not await resources.store.closest(word, limit=1)
        typo, name = await asyncio.to_thread(_nearest, known, word, misspelt)
        respelt[index] = typo or word
        crossed[index] = typo or name or word
    for suggestion in dict.fromkeys((" ".join(respelt), " ".join(crossed))):
        if suggestion != " ".join(words) and await resources.store.search(suggestion, 1):
            return suggestion
    return None


def _nearest(
    known: spelling.Vocabulary, word: str, misspelt: bool
) -> tuple[str | None, str | None]:
    """The headline word nearest to `word` if it is misspelt, and the name of the other
    script nearest to it."""
    typo = spelling.nearest(known, word) if misspelt else None
    return typo, spelling.in_other_script(known, word)


async def _vocabulary(resources: Resources) -> spelling.Vocabulary:
    """The words of the recent headlines (built off the event loop)."""
    titles = await resources.store.recent_titles(spelling.TITLES)
    return await asyncio.to_thread(spelling.vocabulary, titles)


async def topic_id(resources: Resources, query: str) -> int:
    """The stable id of a topic text, for button callback data.

    The store never changes or deletes an id, so each is asked of it once per process, and
    once for all who ask at the same time (`resources.topic_ids`, an `AnswerCache` whose
    entries never expire): under load each request for an id waited behind searches on the
    store's one SQLite connection (100-200 ms), and the first users of a new topic each wrote
    it in turn (up to a second for the last of 50).
    """
    return await resources.topic_ids.get_or_compute(
        query, "", lambda: resources.store.remember_topic(query)
    )


def _prefetch_topic_id(resources: Resources, query: str) -> None:
    """Find the topic's id while its summary is chosen: the answer's buttons need it, and a
    new topic's id is a write to the store (~1 ms) that would otherwise start only once the
    summary is done. Only topics with articles get here, so a query that finds nothing is
    never written. The handler's own `topic_id` then finds the id known or in flight; an
    error shows there (a failed write is not remembered), so it is dropped here."""
    task = asyncio.ensure_future(topic_id(resources, query))
    task.add_done_callback(lambda done: done.cancelled() or done.exception())


async def summarize_article(resources: Resources, article_id: int) -> ArticleSummary | None:
    """One stored article's summary, or None when the id is unknown."""
    article = await resources.store.get_article(article_id)
    if article is None:
        return None
    return await resources.summarizer.article(article)


async def latest(resources: Resources, count: int) -> list[Article]:
    """The `count` newest articles."""
    return await resources.store.latest(limit=count)


async def coverage(resources: Resources) -> tuple[int, list[Count], list[Count]]:
    """How many articles are stored, from which sources, on which frequent topics."""
    store = resources.store
    return await store.count_articles(), await store.source_counts(), await store.tag_counts()


async def inline_stories(resources: Resources, query: str, limit: int) -> list[ArticleSummary]:
    """Summaries of up to `limit` stories on `query` (no query: the newest), one per story."""
    store = resources.store
    articles = await store.search(query, limit=limit) if query else await store.latest(limit)
    result = await resources.summarizer.topic(query, articles, TOPIC_SENTENCES)
    return list(result.items)[:limit]
