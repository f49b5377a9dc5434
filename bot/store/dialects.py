"""The one seam between the backends: full-text search, an article's tags, upserts, pacing.

Everything else in the store is written once with SQLAlchemy Core. Here is what cannot be:
- Search. Both index the analyzed text of `bot.store.fts.index_text` (`index_body` for the
  text: paragraph breaks kept as newlines, which both read as spaces; Snowball stems chosen
  per word by script; CJK one character per token). SQLite: an FTS5 table whose rowid is
  the article id, ranked by bm25 (title 4x body). PostgreSQL: a side table with a
  `tsvector` (title weighted A, body B, `simple` configuration) in a GIN index, ranked by
  ts_rank (title 4x body, length-normalized). User input never reaches either as query
  syntax: FTS5 gets double-quoted runs of letters and digits, tsquery quoted lexemes.
  Both divide relevance by (1 + age_days / RECENCY_DAYS): an article RECENCY_DAYS older
  needs about twice the relevance to rank level with a fresh one. `hits` returns (id,
  score, when_ts), lower score first. Only the newest SEARCH_POOL matches (by id: the order
  they were stored in) are ranked, so a search's cost stops growing with the number of matches:
  "election" matches 184k of a million articles, and ranking them all took most of a
  second. Both engines walk their index newest first and stop there (FTS5 by rowid; the
  planner picks the primary key or the GIN index, whichever is cheaper for the words). In
  a store larger than SEARCH_WINDOW articles, a topic with enough matches among the newest
  SEARCH_WINDOW is answered from them (see there).
- An article's tags in order, as one column (a JSON array in SQLite, an array in PostgreSQL).
- `insert`: each dialect's INSERT with ON CONFLICT (the same API in SQLAlchemy for both).
- The fleet's send pacing (`bot.transport.ratelimit`): a GCRA bucket timed by PostgreSQL's
  clock; SQLite has no fleet (one file, one host), so it has none.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.store import fts, tables

RECENCY_DAYS = 30.0
# Matches ranked per search, newest first (see the docstring). Not fitted: large enough that
# the bundled sample and a week of a busy feed list are ranked whole, small enough to bound
# the cost (~3 ms on SQLite); benchmarks/search_scale.py measures it against the bare query.
SEARCH_POOL = 2000
# A search ranks the newest SEARCH_POOL matches among the newest SEARCH_WINDOW articles, and
# among all articles only when the window holds fewer matches than the search asks for (its
# `:limit`, the candidates of an answer): a topic the recent news covers is answered from
# it. On PostgreSQL a word with 40,000 matches in a million articles then no longer reads
# 40,000 heap pages (tsvectors are stored in the rows, ~4 KB each), and a topic with a
# thousand recent matches no longer walks a million rows for the last few of its pool (1M
# benchmark: "tennis" 114 -> 25 ms). Not fitted: words in 2% or more of the articles fill
# the pool from the window; stores up to its size never see it.
SEARCH_WINDOW = 100_000
DAY_SECONDS = 86_400.0
REINDEX_BATCH = 1000  # articles analyzed and written at a time by `Dialect.reindex`
Terms = list[list[str]]


def _lexeme(token: str) -> str:
    """One token as a quoted tsquery lexeme."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _alternatives(phrases: list[str]) -> str:
    """A term's alternative phrases, OR-ed; words of one phrase must be adjacent (CJK)."""
    parts = [" <-> ".join(_lexeme(t) for t in phrase.split()) for phrase in phrases]
    return "(" + " | ".join(f"({part})" for part in parts) + ")"


def tsquery_all(terms: Terms) -> str:
    """tsquery text for articles with every term (in any of its forms)."""
    return " & ".join(_alternatives(term) for term in terms)


def tsquery_any(terms: Terms) -> str:
    """tsquery text for articles with at least one of the terms."""
    return _alternatives(list(dict.fromkeys(phrase for term in terms for phrase in term)))


@functools.cache
def _text(sql: str) -> sa.TextClause:
    """A SQL text statement, parsed once."""
    return sa.text(sql)


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends (see the module docstring)."""

    name: str
    single_writer: bool  # SQLite: one writer at a time, no fleet
    insert: Callable[[sa.Table], Any]  # INSERT with .on_conflict_do_nothing / _do_update
    tags: sa.ColumnElement[Any]  # an article's tags, in order (outer table: `articles`)
    # (id, score, when_ts) of the best matches: :match, :now, :scale, :pool, :limit, :window,
    # :top, :since; `window_sql`, where set, in a store larger than the window instead
    hits_sql: str
    index_sql: tuple[str, ...]  # replace one article's index row: :id, :when_ts, :title, :body
    # `newsbot db import`: before the index is rebuilt, and after (with every row loaded)
    before_import: tuple[str, ...]
    after_import: tuple[str, ...]
    match_all: Callable[[Terms], str]
    match_any: Callable[[Terms], str]
    since_sql: str = ""  # the `{since}` filter of `hits_sql`: :since (and :since_text)
    window_sql: str = ""
    # where the index keeps its analyzed text, to join to the articles: a table whose `rowid`
    # is the article id and whose `title` and `body` are that text (SQLite's FTS5 table;
    # PostgreSQL keeps only the tsvector)
    analysis: sa.TableClause | None = None

    def parse_tags(self, value: Any) -> tuple[str, ...]:
        """The tags column's value as a tuple."""
        if isinstance(value, str):
            return tuple(json.loads(value))
        return tuple(value or ())

    def hits(self, since: bool, windowed: bool) -> sa.CTE:
        """(id, score, when_ts) of the `:limit` best articles for `:match` (from
        `match_all`/`_any`) among its newest `:pool` matches, ranked at `:now` with `:scale`
        seconds of recency; with `since`, only those dated or fetched at `:since` or later;
        `windowed`: the statement for a store whose `:top` (highest article id, as
        `ArticleStore._windowed` last read it: at most TOP_SECONDS old) is above `:window`
        (SEARCH_WINDOW). `search_parameters` gives the values of all but `:top`."""
        sql = self.window_sql if windowed and self.window_sql else self.hits_sql
        text = sql.replace("{since}", self.since_sql if since else "")
        columns = {"id": sa.BigInteger, "score": sa.Double, "when_ts": sa.Double}
        return _text(text).columns(**columns).cte("hits")

    @staticmethod
    def search_parameters(
        match: str,
        limit: int,
        since: float | None,
        now: float,
        recency_days: float,
        pool: int = SEARCH_POOL,
        window: int = SEARCH_WINDOW,
    ) -> dict[str, Any]:
        """The values of the parameters of `hits`."""
        values = {
            "match": match,
            "limit": limit,
            "pool": max(pool, limit),
            "window": window,
            "now": now,
            "scale": recency_days * DAY_SECONDS,
        }
        if since is not None:
            values["since"] = since
            values["since_text"] = datetime.fromtimestamp(since, UTC).isoformat()  # SQLite
        return values

    def index(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        """Replace articles' rows in the full-text index (inside a transaction); each row
        has the article's `id`, `when_ts` and analyzed `title` and `body`."""
        for statement in self.index_sql:
            conn.execute(_text(statement), rows)

    def reindex(self, conn: sa.Connection, where: sa.ColumnElement[bool] | None = None) -> int:
        """Analyze every article (`where` given: those it selects) and replace its index row,
        REINDEX_BATCH articles at a time (streamed: memory does not grow with the archive);
        how many were indexed."""
        columns = tables.articles.c
        select = sa.select(columns.id, columns.when_ts, columns.title, columns.text)
        found = conn.execute(
            (select if where is None else select.where(where)).execution_options(
                yield_per=REINDEX_BATCH
            )
        )
        done = 0
        for batch in found.partitions():
            rows = [
                {
                    "id": r.id,
                    "when_ts": r.when_ts,
                    "title": fts.index_text(r.title),
                    "body": fts.index_body(r.text),
                }
                for r in batch
            ]
            self.index(conn, rows)
            done += len(rows)
        return done


_SQLITE = Dialect(
    name="sqlite",
    single_writer=True,
    insert=sqlite.insert,
    tags=sa.literal_column(
        "(SELECT json_group_array(tag) FROM (SELECT tag FROM article_tags"
        " WHERE article_id = articles.id ORDER BY position))"
    ),
    # bm25() is computed only for the rows the inner LIMIT lets through; the dates come
    # from a covering index (revision 0006), not from the articles' pages. The window
    # (see SEARCH_WINDOW) is a lower bound on the rowid, which FTS5 seeks to; it is looked
    # at only in a store larger than the window (CASE stops at the first true branch).
    hits_sql="""
        SELECT c.id, c.relevance / (1.0 + max(0.0, :now - a.when_ts) / :scale) AS score,
               a.when_ts
        FROM (SELECT rowid AS id, bm25(article_fts, 4.0, 1.0) AS relevance
              FROM article_fts WHERE article_fts MATCH :match AND rowid > (
                  SELECT CASE
                      WHEN :top <= :window THEN 0
                      WHEN (SELECT rowid FROM article_fts WHERE article_fts MATCH :match
                            ORDER BY rowid DESC LIMIT 1 OFFSET :limit - 1) > :top - :window
                          THEN :top - :window
                      ELSE 0 END)
              ORDER BY rowid DESC LIMIT :pool) AS c
        JOIN articles AS a INDEXED BY articles_id_when ON a.id = c.id {since}
        ORDER BY score, a.when_ts DESC, c.id DESC LIMIT :limit
    """,
    since_sql="""
        AND (a.when_ts >= :since OR a.fetched >= :since_text)
    """,
    index_sql=(
        "DELETE FROM article_fts WHERE rowid = :id",
        "INSERT INTO article_fts (rowid, title, body) VALUES (:id, :title, :body)",
    ),
    analysis=sa.table("article_fts", sa.column("rowid"), sa.column("title"), sa.column("body")),
    before_import=(),
    after_import=(),
    match_all=fts.match_all,
    match_any=fts.match_any,
)

# PostgreSQL: each match with its score (the `{since}` filter left in for `Dialect.hits`).
_PG_RANKED = """
            SELECT f.article_id AS id, f.when_ts,
                   -ts_rank('{0, 0, 0.25, 1}', f.tsv, q.query, 1)
                       / (1.0 + greatest(0.0, :now - f.when_ts) / :scale) AS score
            FROM article_fts AS f, to_tsquery('simple', :match) AS q (query)
            WHERE f.tsv @@ q.query {since}"""

_POSTGRES = Dialect(
    name="postgresql",
    single_writer=False,
    insert=postgresql.insert,
    tags=sa.literal_column(
        "ARRAY(SELECT t.tag FROM article_tags AS t"
        " WHERE t.article_id = articles.id ORDER BY t.position)"
    ),
    # ts_rank weights {D, C, B, A}: body (B) counts a quarter of the title (A).
    # One pass: each match in the window is ranked as it is read, and only (id, date, score)
    # are sorted to keep the newest. Ranking the newest ids again by row address (ctid)
    # instead read every row twice: 1.4x the time at the median topic of the 100k benchmark
    # (3.3 against 2.5 ms); for the commonest topics the two are level there.
    # In a store no larger than the window, all matches are the window.
    hits_sql=f"""
        SELECT id, score, when_ts FROM ({_PG_RANKED} ORDER BY f.article_id DESC LIMIT :pool) AS c
        ORDER BY score, when_ts DESC, id DESC LIMIT :limit
    """,
    # In a larger one the window (SEARCH_WINDOW) is tried first; the full scan below it runs
    # only when the window held fewer matches than asked for (one-time filters: PostgreSQL
    # skips the branch that is not needed). The window's bound is a subquery on purpose:
    # PostgreSQL cannot see its value and takes it for a third of the table, so for a
    # common word it walks the primary key newest first and stops at the pool. Given the
    # value, it intersected the word's matches with a bitmap of the window's 100,000 ids
    # and read every match in the window ("mobile phones" at 1M: 30 -> 48 ms).
    window_sql=f"""
        WITH recent AS (
            {_PG_RANKED} AND f.article_id > (SELECT CAST(:top AS BIGINT) - :window)
            ORDER BY f.article_id DESC LIMIT :pool
        ), c AS (
            SELECT id, when_ts, score FROM recent WHERE (SELECT count(*) FROM recent) >= :limit
            UNION ALL
            SELECT id, when_ts, score FROM (
                {_PG_RANKED} ORDER BY f.article_id DESC LIMIT :pool
            ) AS every
            WHERE (SELECT count(*) FROM recent) < :limit
        )
        SELECT id, score, when_ts FROM c ORDER BY score, when_ts DESC, id DESC LIMIT :limit
    """,
    # The filter costs a lookup per match, so it is only there when asked for.
    since_sql="""
        AND (f.when_ts >= :since OR EXISTS (SELECT 1 FROM articles AS n
             WHERE n.id = f.article_id AND n.fetched >= to_timestamp(:since)))
    """,
    index_sql=(
        """
        INSERT INTO article_fts (article_id, when_ts, tsv)
        VALUES (:id, :when_ts, setweight(to_tsvector('simple', :title), 'A')
                              || setweight(to_tsvector('simple', :body), 'B'))
        ON CONFLICT (article_id) DO UPDATE SET when_ts = EXCLUDED.when_ts, tsv = EXCLUDED.tsv
        """,
    ),
    # GIN is built once after the load (much faster than row by row); identities continue
    # past the imported ids; the statistics are gathered at once, not when autovacuum
    # comes by: without them the planner guesses every word's matches (500 of any size)
    # and picks slow plans for the searches' newest-matches pool.
    before_import=("DROP INDEX IF EXISTS article_fts_tsv",),
    after_import=(
        "CREATE INDEX article_fts_tsv ON article_fts USING GIN (tsv)",
        "ANALYZE article_fts",
        *(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce(max(id), 0) + 1, false) FROM {table}"
            for table in ("stories", "articles", "feeds", "subscriptions", "topics")
        ),
    ),
    match_all=tsquery_all,
    match_any=tsquery_any,
)

# GCRA: one "theoretical arrival time" per key; reserving a slot is one atomic upsert that
# returns how long to wait for it, timed by the database clock so skewed hosts agree.
RESERVE_SLOT = sa.text("""
    WITH clock AS (SELECT CAST(extract(epoch FROM clock_timestamp()) AS DOUBLE PRECISION) AS now)
    INSERT INTO rate_limits AS r (key, tat)
    SELECT :key, clock.now + :interval FROM clock
    ON CONFLICT (key) DO UPDATE
        SET tat = greatest(r.tat, (SELECT now FROM clock)) + :interval
    RETURNING greatest(0.0, r.tat - :interval - :burst - (SELECT now FROM clock))
""")
PAUSE_KEY = sa.text("""
    INSERT INTO rate_limits AS r (key, tat)
    VALUES (:key, extract(epoch FROM clock_timestamp()) + :seconds)
    ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, EXCLUDED.tat)
""")


def dialect_for(database_url: str) -> Dialect:
    """The dialect of a DATABASE_URL (already checked by `engine.driver_url`)."""
    return _SQLITE if database_url.startswith("sqlite:") else _POSTGRES


def dialect_named(name: str) -> Dialect:
    """The dialect of a SQLAlchemy dialect name ("sqlite", "postgresql")."""
    return _SQLITE if name == "sqlite" else _POSTGRES
