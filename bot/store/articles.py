"""Articles: deduplication on write, ranked topic search, listings (part of `SqlStore`).

`search` keeps only articles with every query word, and of those only the ones about the
topic (`fts.on_topic`): an answer is never padded with articles that merely contain some
of the words. Fewer, or none, is the honest answer; `closest` is what may be offered,
labelled, instead.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from bot.models import Article, Count, StoredResult
from bot.store import fts
from bot.store.database import Database, Row, store_errors
from bot.store.dialects import RECENCY_DAYS, SEARCH_POOL, SEARCH_WINDOW, Dialect
from bot.store.engine import Work
from bot.store.tables import article_tags, articles, store_state, utc

_A = articles.c
T = TypeVar("T")


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags stripped, without blanks or repeats, in their original order."""
    return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


def analyze(article: Article) -> tuple[str, str]:
    """The article's title and body as the search index keeps them (`fts`)."""
    return fts.index_text(article.title), fts.index_body(article.text)


def article_values(article: Article) -> dict[str, Any]:
    """The `articles` columns of an article (not its id or story)."""
    return {
        "when_ts": utc(article.when).timestamp(),
        "content_hash": article.content_hash,
        "url": article.url or None,
        "source": article.source,
        "language": article.language,
        "published": article.published,
        "fetched": article.fetched,
        "title": article.title,
        "text": article.text,
        "sentence_spans": article.sentence_spans or None,
        "reading": article.reading or None,
    }


# The statements that store an article, built once (building one costs more than running it).
_BY_HASH = sa.select(_A.id).where(_A.content_hash == sa.bindparam("hash"))
_BY_URL = sa.select(_A.id).where(_A.url == sa.bindparam("wanted_url"))
_INSERT = sa.insert(articles).returning(_A.id)
_UPDATE = sa.update(articles).where(_A.id == sa.bindparam("row_id"))
_DROP_TAGS = sa.delete(article_tags).where(article_tags.c.article_id == sa.bindparam("row_id"))
_ADD_TAGS = sa.insert(article_tags)
_BUMP = sa.update(store_state).values(articles_version=store_state.c.articles_version + 1)
_VERSION = sa.select(store_state.c.articles_version)
# The highest article id: where the search window (`Dialect.hits`' `:top`) ends; read at
# most once every TOP_SECONDS unless this process stores articles (`_windowed`).
TOP_ID = sa.select(sa.func.coalesce(sa.func.max(_A.id), 0))
TOP_SECONDS = 5.0
_SET_READING = (
    sa.update(articles)
    .where(_A.id == sa.bindparam("row_id"), _A.content_hash == sa.bindparam("hash"))
    .values(reading=sa.bindparam("new_reading"))
)


@functools.cache
def select_articles(dialect: Dialect) -> sa.Select[Any]:
    """SELECT of everything `ArticleStore._article` needs (built once per dialect)."""
    columns = (_A.id, _A.url, _A.source, _A.title, _A.published, _A.fetched, _A.language)
    more = (_A.text, _A.story_id, _A.sentence_spans, _A.reading, dialect.tags.label("tags"))
    return sa.select(*columns, *more)


@functools.cache
def _by_id(dialect: Dialect) -> sa.Select[Any]:
    """One article by `:id`."""
    return select_articles(dialect).where(_A.id == sa.bindparam("id"))


def _rank_order(hits: sa.CTE) -> tuple[sa.ColumnElement[Any], ...]:
    """Best first by `Dialect.hits`' score; the newer first among equals."""
    return (hits.c.score, hits.c.when_ts.desc(), hits.c.id.desc())


def _in_rank_order(select: sa.Select[Any], hits: sa.CTE) -> sa.Select[Any]:
    """`select` over the articles of `Dialect.hits`, in `_rank_order`."""
    return select.join_from(articles, hits, hits.c.id == _A.id).order_by(*_rank_order(hits))


@functools.cache
def _search(dialect: Dialect, windowed: bool) -> sa.Select[Any]:
    """The articles of `Dialect.hits` (no `since` filter), in rank order."""
    return _in_rank_order(select_articles(dialect), dialect.hits(False, windowed))


def _analyzed(dialect: Dialect, select: sa.Select[Any], outer: Any) -> sa.Select[Any]:
    """`select` (of `select_articles`'s columns, from `outer`, which holds `articles`) with
    the index's analyzed title and body (`analyzed_title`, `analyzed_body`) where it keeps
    them."""
    index = dialect.analysis
    if index is None:
        return select.select_from(outer)
    analyzed = (index.c.title.label("analyzed_title"), index.c.body.label("analyzed_body"))
    return select.add_columns(*analyzed).select_from(outer.outerjoin(index, index.c.rowid == _A.id))


@functools.cache
def _by_ids(dialect: Dialect) -> sa.Select[Any]:
    """The articles whose ids are in `:ids` (in no particular order), analyzed as by
    `_analyzed`."""
    select = _analyzed(dialect, select_articles(dialect), articles)
    return select.where(_A.id.in_(sa.bindparam("ids", expanding=True)))


@functools.cache
def _ranked_first(dialect: Dialect, since: bool, windowed: bool) -> sa.Select[Any]:
    """The ids of `Dialect.hits` in rank order (`rank_id`, `rank`: 1, 2, ...), with the
    articles of the first `:first` of them as `_by_ids` reads them (NULL for the others):
    the candidates and the articles most answers read, in one statement."""
    hits = dialect.hits(since, windowed)
    order = _rank_order(hits)
    rank = sa.func.row_number().over(order_by=order).label("rank")
    ranked = sa.select(hits.c.id.label("rank_id"), rank).subquery("ranked")
    # An id only for the first `:first` ranks, so the others look up no article: as a second
    # condition of the join, PostgreSQL read every candidate's article and then dropped it.
    shown = _A.id == sa.case((ranked.c.rank <= sa.bindparam("first"), ranked.c.rank_id))
    select = select_articles(dialect).add_columns(ranked.c.rank_id, ranked.c.rank)
    return _analyzed(dialect, select, ranked.outerjoin(articles, shown)).order_by(ranked.c.rank)


class ArticleStore(Database):
    """The article half of `SqlStore`."""

    recency_days = RECENCY_DAYS
    search_pool = SEARCH_POOL  # matches ranked per search, newest first (dialects.py)
    search_window = SEARCH_WINDOW  # newest articles PostgreSQL looks in first (dialects.py)
    local_writes = 0  # articles this process added or changed (`Store.local_writes`)
    _top_seen: tuple[int, int, float] | None = None  # (TOP_ID, local_writes, monotonic time)

    def _select(self, *extra: sa.ColumnElement[Any]) -> sa.Select[Any]:
        """SELECT of everything `_article` needs, plus `extra` columns."""
        return select_articles(self.dialect).add_columns(*extra)

    def _article(self, row: Row) -> Article:
        """An `Article` from a row of `_select`."""
        return Article(
            id=int(row.id),
            url=row.url,
            source=row.source,
            title=row.title,
            published=row.published,
            fetched=row.fetched,
            language=row.language,
            text=row.text,
            tags=self.dialect.parse_tags(row.tags),
            story_id=None if row.story_id is None else int(row.story_id),
            sentence_spans=row.sentence_spans or "",
            reading=row.reading or "",
        )

    async def _articles(
        self,
        statement: sa.Select[Any],
        parameters: dict[str, Any] | None = None,
        *,
        heavy: bool = False,
    ) -> list[Article]:
        """Run a `_select` statement and build the articles."""
        rows = await self._read(statement, parameters, heavy=heavy)
        return [self._article(row) for row in rows]

    @store_errors
    async def add_article(self, article: Article) -> StoredResult:
        """Store an article unless its content hash is stored; a known URL with a changed
        body updates that article in place."""
        known = await self._read(_BY_HASH, {"hash": article.content_hash})
        if known:  # cheap early exit: re-ingesting a feed is mostly duplicates
            return StoredResult(int(known[0].id), "duplicate")
        analyzed = await asyncio.to_thread(analyze, article)
        result, _ = await self._write_article(
            lambda conn: (self._put_article(conn, article, analyzed), None)
        )
        return result

    async def _write_article(self, work: Work[tuple[StoredResult, T]]) -> tuple[StoredResult, T]:
        """Run `work`, which stores one article (`_put_article`: the first of what it
        returns), in a write transaction; once more if another instance stored the same URL
        or body meanwhile (now it is known). Counted in `local_writes` unless a duplicate."""
        try:
            written = await self._write(work)
        except sa.exc.IntegrityError:
            written = await self._write(work)
        if written[0].status != "duplicate":
            self.local_writes += 1
        return written

    def _put_article(
        self, conn: sa.Connection, article: Article, analyzed: tuple[str, str] | None
    ) -> StoredResult:
        """Insert or update the article, its tags and its index row (inside a transaction):
        "duplicate" when its body is stored. `analyzed`: `analyze(article)`, or None to
        analyze it here once it is known to be new."""
        known = conn.execute(_BY_HASH, {"hash": article.content_hash}).scalar()
        if known is not None:
            return StoredResult(int(known), "duplicate")
        values = article_values(article)
        same_url = None
        if article.url:
            same_url = conn.execute(_BY_URL, {"wanted_url": article.url}).scalar()
        if same_url is None:
            article_id, status = int(conn.execute(_INSERT, values).scalar_one()), "added"
        else:
            conn.execute(_UPDATE, {"row_id": same_url, **values})
            article_id, status = int(same_url), "updated"
        conn.execute(_DROP_TAGS, {"row_id": article_id})
        if tags := clean_tags(article.tags):
            rows = [{"article_id": article_id, "position": n, "tag": t} for n, t in enumerate(tags)]
            conn.execute(_ADD_TAGS, rows)
        title, body = analyzed or analyze(article)
        row = {"id": article_id, "when_ts": values["when_ts"], "title": title, "body": body}
        self.dialect.index(conn, [row])
        conn.execute(_BUMP)
        return StoredResult(article_id, status)

    @store_errors
    async def articles_version(self) -> str:
        """A counter every article write moves, in any process or instance."""
        found = await self._read(_VERSION)
        return str(found[0][0]) if found else "0"

    @store_errors
    async def get_article(self, article_id: int) -> Article | None:
        """One article by id, or None."""
        found = await self._articles(_by_id(self.dialect), {"id": article_id})
        return found[0] if found else None

    @store_errors
    async def search(
        self, query: str, limit: int = 5, *, since: datetime | None = None
    ) -> list[Article]:
        """Articles about a free-text topic, best first (relevance with recency)."""
        found, _ = await self._about(query, limit, since, versioned=False)
        return found

    @store_errors
    async def search_with_version(self, query: str, limit: int = 5) -> tuple[list[Article], str]:
        """`search`, with the articles version read first in the same unit of work."""
        return await self._about(query, limit, None, versioned=True)

    async def _about(
        self, query: str, limit: int, since: datetime | None, *, versioned: bool
    ) -> tuple[list[Article], str]:
        """The articles about `query` (see `search`) and, if asked, the version before them."""
        terms = fts.query_terms(query)
        if not versioned and (not terms or limit <= 0):
            return [], ""
        candidates = limit * fts.CANDIDATES_PER_ANSWER
        parameters = self._hits(self.dialect.match_all(terms), candidates, since)
        parameters["first"] = limit
        by_ids, analyzed = _by_ids(self.dialect), self.dialect.analysis is not None

        def about(conn: sa.Connection) -> tuple[list[Article], str]:
            version = str(conn.execute(_VERSION).scalar() or 0) if versioned else ""
            if not terms or limit <= 0:
                return [], version
            ranked = _ranked_first(
                self.dialect, since is not None, self._windowed(conn, parameters)
            )
            # The candidates' ids, with the first `limit` articles; the others `limit` at a
            # time, as the topic check asks for them: most answers read `limit` articles.
            first = conn.execute(ranked, parameters).all()
            ids = [int(row.rank_id) for row in first]
            kept: list[Article] = []
            read: list[Article] = []
            stored: dict[int, tuple[str, str]] = {}
            checked: dict[int, int] = {}  # what the topic check found, by id (for the fill)
            for start in range(0, len(ids), limit):
                batch = ids[start : start + limit]
                rows = (
                    {int(row.id): row for row in first[:limit]}
                    if start == 0
                    else {int(row.id): row for row in conn.execute(by_ids, {"ids": batch})}
                )
                found = [self._article(rows[i]) for i in batch if i in rows]
                if analyzed:  # the index's own analysis, where it keeps one: not done again
                    stored.update(
                        (i, (str(row.analyzed_title), str(row.analyzed_body)))
                        for i, row in rows.items()
                        if row.analyzed_body is not None
                    )
                kept += fts.on_topic(found, terms, limit - len(kept), stored, 0, checked)
                if len(kept) >= limit:
                    return kept, version
                read += found
            if mentions := fts.mentions_allowed(terms):  # short: fill (about half the words)
                shown = {article.id for article in kept}
                rest = [article for article in read if article.id not in shown]
                kept += fts.on_topic(rest, terms, limit - len(kept), stored, mentions, checked)
            return kept, version

        return await self._run(about, "read", heavy=True)

    @store_errors
    async def closest(self, query: str, limit: int = 2) -> list[Article]:
        """The best matches of any query word: what to offer, labelled, when none is about it.

        Ranked by relevance alone: with recency a new story sharing only a common word of
        "Pinochet trial verdict" ("trial") came before the old one on Pinochet. Numbers count
        only when the query has nothing else: "1" or "2012" alone in a title is no kinship
        with "climate change 1"."""
        terms = fts.query_terms(query)
        if not terms or limit <= 0:
            return []
        words = [term for term in terms if not all(form.isdigit() for form in term)]
        return await self._ranked(self.dialect.match_any(words or terms), limit, math.inf)

    async def _ranked(self, match: str, limit: int, recency_days: float) -> list[Article]:
        """The best `limit` articles for a match expression, `recency_days` of recency."""
        parameters = self._hits(match, limit, None, recency_days)

        def ranked(conn: sa.Connection) -> list[Article]:
            statement = _search(self.dialect, self._windowed(conn, parameters))
            return [self._article(row) for row in conn.execute(statement, parameters)]

        return await self._run(ranked, "read", heavy=True)

    def _windowed(self, conn: sa.Connection, parameters: dict[str, Any]) -> bool:
        """Put the highest article id in `parameters` (`:top` of `Dialect.hits`); whether
        the store is larger than the search window.

        The id is read again after this process stored an article or TOP_SECONDS after it
        was read, not for every search: one round trip less. A stale one is lower than the
        true one, so the window holds the newest articles and a few more."""
        now, seen = time.monotonic(), self._top_seen
        if seen is None or seen[1] != self.local_writes or now - seen[2] > TOP_SECONDS:
            seen = self._top_seen = (int(conn.execute(TOP_ID).scalar_one()), self.local_writes, now)
        parameters["top"] = seen[0]
        return seen[0] > self.search_window

    def _hits(
        self, match: str, limit: int, since: datetime | None, recency_days: float | None = None
    ) -> dict[str, Any]:
        """The parameters of `Dialect.hits` for a match expression, now (`recency_days`: the
        store's own unless given; `math.inf`: relevance alone)."""
        moment = None if since is None else utc(since).timestamp()
        return self.dialect.search_parameters(
            match,
            limit,
            moment,
            time.time(),
            self.recency_days if recency_days is None else recency_days,
            self.search_pool,
            self.search_window,
        )

    @store_errors
    async def latest(self, limit: int = 10) -> list[Article]:
        """The newest articles (by published, else fetched time), newest first."""
        order = (_A.when_ts.desc(), _A.id.desc())
        return await self._articles(self._select().order_by(*order).limit(max(limit, 0)))

    @store_errors
    async def recent_titles(self, limit: int) -> list[str]:
        """The titles of the `limit` articles stored last (by id), last first."""
        statement = sa.select(_A.title).order_by(_A.id.desc()).limit(max(limit, 0))
        rows = await self._run(lambda conn: conn.execute(statement).scalars().all(), "read")
        return [str(title) for title in rows]

    @store_errors
    async def unread_articles(
        self, fresh: str, limit: int, below: int | None = None
    ) -> list[Article]:
        """Up to `limit` articles whose stored reading does not start with `fresh` (none, or
        one of another version), highest id first, only ids below `below` when given: what
        `newsbot db readings` fills in, a batch at a time (one pass over the primary key)."""
        stale = sa.not_(_A.reading.startswith(fresh, autoescape=True))
        statement = self._select().where(sa.or_(_A.reading.is_(None), stale))
        if below is not None:
            statement = statement.where(_A.id < below)
        statement = statement.order_by(_A.id.desc()).limit(max(limit, 0))
        return await self._articles(statement, heavy=True)

    @store_errors
    async def save_readings(self, readings: Sequence[tuple[Article, str]]) -> None:
        """Store readings made of these articles (`Article.reading`), in one transaction, each
        only where the article's body is still the one read (else it is read again when
        summarized). A reading changes no answer, so the articles' version does not move."""
        rows = [
            {"row_id": article.id, "hash": article.content_hash, "new_reading": reading}
            for article, reading in readings
        ]
        if rows:
            await self._execute(_SET_READING, rows)

    @store_errors
    async def count_articles(self) -> int:
        """How many articles are stored."""
        count = sa.select(sa.func.count()).select_from(articles)
        found = await self._read(count, heavy=True)
        return int(found[0][0])

    async def _counts(self, column: sa.ColumnElement[str], limit: int) -> list[Count]:
        """Non-empty `column` values with how many rows have each, largest first."""
        n = sa.func.count().label("n")
        statement = (
            sa.select(column, n)
            .where(column != "")
            .group_by(column)
            .order_by(n.desc(), column)
            .limit(max(limit, 0))
        )
        found = await self._read(statement, heavy=True)
        return [Count(label=str(r[0]), count=int(r[1])) for r in found]

    @store_errors
    async def source_counts(self, limit: int = 10) -> list[Count]:
        """Sources with their article counts, largest first (articles without one skipped)."""
        return await self._counts(_A.source, limit)

    @store_errors
    async def tag_counts(self, limit: int = 10) -> list[Count]:
        """Most frequent tags with their article counts, largest first."""
        return await self._counts(article_tags.c.tag, limit)
