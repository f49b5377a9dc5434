"""Feeds, dedup keys, per-site line counts, fingerprints and stories (part of `SqlStore`).

`claim_due_feeds` lets several bot instances share the polling: a feed is leased by pushing
its `next_poll` past the lease in the statement that picks it, so no other instance sees it
due until the lease runs out or the poller saves the real next poll. A story groups the
articles that tell the same news; `story_sources` keeps every place that carried it,
including exact copies that were not stored twice.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.errors import StoreError
from bot.models import Article, Feed, Fingerprint, PageWrite, StoredResult, StorySource, utcnow
from bot.store.articles import ArticleStore, select_articles
from bot.store.database import CHUNK, Row, chunks, store_errors
from bot.store.dialects import Dialect
from bot.store.tables import (
    article_signatures,
    article_urls,
    articles,
    feed_entries,
    feeds,
    signature_bands,
    site_lines,
    stories,
    story_sources,
)

_F = feeds.c
_E = feed_entries.c
_SIG = article_signatures.c


def _feed_select() -> sa.Select[Any]:
    """Every column of `feeds` with how many articles each brought and its newest entry."""
    brought = (
        sa.select(sa.func.count(sa.distinct(_E.article_id)))
        .where(_E.feed_id == _F.id, _E.article_id.is_not(None))
        .scalar_subquery()
    )
    newest = sa.select(sa.func.max(_E.seen)).where(_E.feed_id == _F.id).scalar_subquery()
    return sa.select(feeds, brought.label("brought"), newest.label("last_new"))


def _feed(row: Row) -> Feed:
    """A `Feed` from a row of `_feed_select`."""
    next_poll = float(row.next_poll)
    return Feed(
        id=int(row.id),
        url=str(row.url),
        title=str(row.title),
        interval=int(row.interval_s),
        status=str(row.status),
        etag=row.etag,
        last_modified=row.last_modified,
        failures=int(row.failures),
        last_error=row.last_error,
        last_success=row.last_success,
        next_poll=datetime.fromtimestamp(next_poll, UTC) if next_poll else None,
        articles=int(row.brought),
        last_new=row.last_new,
    )


def _fingerprints() -> sa.Select[Any]:
    """Stored fingerprints with their article's story."""
    return sa.select(_SIG.article_id, _SIG.shingles, _SIG.signature, articles.c.story_id).join(
        articles, articles.c.id == _SIG.article_id
    )


@functools.cache
def _by_urls(dialect: Dialect) -> sa.Select[Any]:
    """Articles known by one of `:urls` (stored or redirect URLs), with the URL matched.

    Statements in the ingestion path are built once: building one costs more than running
    it on a warm cache (find_by_urls 0.5 ms a call)."""
    wanted: sa.BindParameter[str] = sa.bindparam("urls", expanding=True)
    keys = sa.union_all(
        sa.select(article_urls.c.article_id, article_urls.c.url).where(
            article_urls.c.url.in_(wanted)
        ),
        sa.select(articles.c.id, articles.c.url).where(articles.c.url.in_(wanted)),
    ).subquery("k")
    return (
        select_articles(dialect)
        .add_columns(keys.c.url.label("matched"))
        .join_from(articles, keys, keys.c.article_id == articles.c.id)
    )


# The newest `:limit` fingerprints sharing one of the LSH band keys `:bands`.
_SHARING = sa.select(signature_bands.c.article_id).where(
    signature_bands.c.band.in_(sa.bindparam("bands", expanding=True))
)
_SHARING_BANDS = (
    _fingerprints()
    .where(_SIG.article_id.in_(_SHARING))
    .order_by(_SIG.article_id.desc())
    .limit(sa.bindparam("limit"))
)

SIMILAR = 50  # stored fingerprints compared with a new one, newest first

# The counts of the line keys `:keys` of `:site`.
_LINE_COUNTS = sa.select(site_lines.c.line_key, site_lines.c.articles).where(
    site_lines.c.site == sa.bindparam("site"),
    site_lines.c.line_key.in_(sa.bindparam("keys", expanding=True)),
)

# The line keys of `:site` seen in at least `:min_articles` articles.
_BOILERPLATE = sa.select(site_lines.c.line_key).where(
    site_lines.c.site == sa.bindparam("site"),
    site_lines.c.articles >= sa.bindparam("min_articles"),
)


@functools.cache
def _count_lines(dialect: Dialect) -> sa.Insert:
    """Add rows of (site, line_key, articles, last_seen) to the sites' line counts."""
    add = dialect.insert(site_lines)
    upsert: sa.Insert = add.on_conflict_do_update(
        index_elements=[site_lines.c.site, site_lines.c.line_key],
        set_={
            "articles": site_lines.c.articles + add.excluded.articles,
            "last_seen": add.excluded.last_seen,
        },
    )
    return upsert


@dataclass(frozen=True, slots=True)
class _LinkStatements:
    """The writes that link a stored article to its story, URLs and fingerprint, built once
    per dialect and run with parameters (building them cost more than running them)."""

    story_of: sa.Select[Any]  # :row_id
    new_story: sa.Insert  # :created
    set_story: sa.Update  # :row_id, :story_id
    urls: sa.Insert  # rows of url, article_id
    drop_bands: sa.Delete  # :row_id
    signature: sa.Insert  # article_id, shingles, signature (upsert)
    bands: sa.Insert  # rows of band, article_id
    source: sa.Insert  # story_id, url, seen, source, title, article_id (upsert)


@functools.cache
def _link_statements(dialect: Dialect) -> _LinkStatements:
    """The dialect's `_LinkStatements`."""
    A, S = articles.c, story_sources.c
    row_id: sa.BindParameter[int] = sa.bindparam("row_id")
    signature = dialect.insert(article_signatures)
    source = dialect.insert(story_sources)
    return _LinkStatements(
        story_of=sa.select(A.story_id).where(A.id == row_id).with_for_update(),
        new_story=sa.insert(stories).returning(stories.c.id),
        set_story=sa.update(articles).where(A.id == row_id),
        urls=dialect.insert(article_urls).on_conflict_do_nothing(),
        drop_bands=sa.delete(signature_bands).where(signature_bands.c.article_id == row_id),
        signature=signature.on_conflict_do_update(
            index_elements=[_SIG.article_id],
            set_={name: signature.excluded[name] for name in ("shingles", "signature")},
        ),
        bands=dialect.insert(signature_bands).on_conflict_do_nothing(),
        source=source.on_conflict_do_update(
            index_elements=[S.story_id, S.url],
            set_={name: source.excluded[name] for name in ("source", "title", "article_id")},
        ),
    )


def _line_rows(site: str, pages: Sequence[frozenset[str]]) -> list[dict[str, Any]]:
    """Rows for `_count_lines`: one more article of `site` for each key of each page."""
    counts = Counter(key for keys in pages for key in keys)
    now = time.time()
    return [
        {"site": site, "line_key": key, "articles": n, "last_seen": now}
        for key, n in counts.items()
    ]


def _sharing_bands(conn: sa.Connection, bands: Sequence[int], limit: int) -> list[Fingerprint]:
    """The newest `limit` stored fingerprints sharing one of `bands` (none for no bands)."""
    if not bands:
        return []
    wanted = {"bands": list(dict.fromkeys(bands)), "limit": limit}
    return [_fingerprint(row) for row in conn.execute(_SHARING_BANDS, wanted)]


def _fingerprint(row: Row) -> Fingerprint:
    """A `Fingerprint` (without band keys) from a row of `_fingerprints`."""
    story = None if row.story_id is None else int(row.story_id)
    return Fingerprint(bytes(row.signature), int(row.shingles), (), int(row.article_id), story)


class FeedPart(ArticleStore):
    """The `FeedStore` half of `SqlStore`."""

    async def _feeds(self, statement: sa.Select[Any]) -> list[Feed]:
        """Run a `_feed_select` statement."""
        return [_feed(row) for row in await self._read(statement, heavy=True)]

    @store_errors
    async def add_feed(self, feed: Feed) -> tuple[Feed, bool]:
        """Add a feed unless its URL is known; the stored feed, and whether it is new."""
        values = {"url": feed.url, "title": feed.title, "interval_s": feed.interval}
        add = self.dialect.insert(feeds).values(**values, added=utcnow())
        add = add.on_conflict_do_nothing().returning(_F.id)
        created = await self._write(lambda c: c.execute(add).first() is not None)
        stored = await self.find_feed(feed.url)
        if stored is None:
            raise StoreError(f"feed {feed.url} vanished while being added")
        return stored, created

    @store_errors
    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id, or None."""
        found = await self._feeds(_feed_select().where(_F.id == feed_id))
        return found[0] if found else None

    @store_errors
    async def find_feed(self, url: str) -> Feed | None:
        """The feed with this URL, or None."""
        found = await self._feeds(_feed_select().where(_F.url == url))
        return found[0] if found else None

    @store_errors
    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first, each with how many articles it brought."""
        return await self._feeds(_feed_select().order_by(_F.id))

    @store_errors
    async def save_feed(self, feed: Feed) -> None:
        """Store a known feed's title, interval, status, validators, health and next poll."""
        names = ("title", "status", "etag", "last_modified", "failures", "last_error")
        values = {name: getattr(feed, name) for name in (*names, "last_success")}
        values["interval_s"] = feed.interval
        values["next_poll"] = feed.next_poll.timestamp() if feed.next_poll else 0.0
        await self._execute(sa.update(feeds).where(_F.id == feed.id).values(values))

    @store_errors
    async def claim_due_feeds(
        self, now: datetime, lease_seconds: float, limit: int = 100
    ) -> list[int]:
        """Lease the active feeds due at `now` (their next poll moves past the lease)."""
        moment = now.timestamp()
        due = (
            sa.select(_F.id)
            .where(_F.status == "active", _F.next_poll <= moment)
            .order_by(_F.next_poll, _F.id)
            .limit(max(limit, 0))
            .with_for_update(skip_locked=True)
        )
        claim = (
            sa.update(feeds)
            .where(_F.id.in_(due))
            .values(next_poll=moment + lease_seconds)
            .returning(_F.id)
        )
        return sorted(await self._write(lambda c: [int(row[0]) for row in c.execute(claim)]))

    @store_errors
    async def remove_feed(self, feed_id: int) -> bool:
        """Forget a feed (its articles stay); False when there was none."""
        remove = sa.delete(feeds).where(_F.id == feed_id)
        return await self._write(lambda c: c.execute(remove).rowcount > 0)

    @store_errors
    async def feed_entries(self, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        """The fingerprints recorded for those of a feed's entry keys that were seen, by key."""
        found: dict[str, str] = {}
        for chunk in chunks(keys):
            query = sa.select(_E.entry_key, _E.fingerprint).where(
                _E.feed_id == feed_id, _E.entry_key.in_(chunk)
            )
            found.update((str(k), str(f)) for k, f in await self._read(query))
        return found

    @store_errors
    async def record_feed_entries(
        self, feed_id: int, entries: Sequence[tuple[str, str, int | None]]
    ) -> None:
        """Remember feed entries as (key, fingerprint, article id or None), in one
        transaction; the last of repeated keys wins."""
        latest = {key: (fingerprint, article) for key, fingerprint, article in entries}
        seen = utcnow()
        rows = [
            {"feed_id": feed_id, "entry_key": k, "fingerprint": f, "article_id": a, "seen": seen}
            for k, (f, a) in latest.items()
        ]
        if not rows:
            return
        add = self.dialect.insert(feed_entries)
        add = add.on_conflict_do_update(
            index_elements=[_E.feed_id, _E.entry_key],
            set_={name: add.excluded[name] for name in ("fingerprint", "article_id", "seen")},
        )
        await self._execute(add, rows)

    @store_errors
    async def find_by_urls(self, urls: Sequence[str]) -> tuple[Article, str] | None:
        """The article known by one of these normalized URLs, with the URL that matched."""
        wanted = list(dict.fromkeys(urls))[:CHUNK]
        if not wanted:
            return None
        found = await self._read(_by_urls(self.dialect), {"urls": wanted})
        if not found:
            return None
        best = min(found, key=lambda row: wanted.index(row.matched))
        return self._article(best), str(best.matched)

    @store_errors
    async def learn_site_lines(self, site: str, pages: Sequence[frozenset[str]]) -> None:
        """Count one more article of `site` for every line key in each page's key set."""
        if rows := _line_rows(site, pages):
            await self._execute(_count_lines(self.dialect), rows)

    @store_errors
    async def line_counts(self, site: str, keys: Collection[str]) -> dict[str, int]:
        """How many articles of `site` carried each of these line keys (absent: none yet)."""
        counts: dict[str, int] = {}
        for chunk in chunks(sorted(keys)):
            wanted = {"site": site, "keys": chunk}
            counts.update((str(key), int(n)) for key, n in await self._read(_LINE_COUNTS, wanted))
        return counts

    @store_errors
    async def site_boilerplate(self, site: str, min_articles: int) -> frozenset[str]:
        """The line keys of `site` seen in at least `min_articles` articles."""
        wanted = {"site": site, "min_articles": min_articles}
        return frozenset(str(row[0]) for row in await self._read(_BOILERPLATE, wanted))

    @store_errors
    async def prune_site_lines(self, older_than: datetime, below: int) -> int:
        """Forget line keys seen in fewer than `below` articles and not since `older_than`."""
        L = site_lines.c
        prune = sa.delete(site_lines).where(
            L.articles < below, L.last_seen < older_than.timestamp()
        )
        return await self._write(lambda c: max(c.execute(prune).rowcount, 0))

    @store_errors
    async def similar_fingerprints(
        self, bands: Sequence[int], limit: int = SIMILAR
    ) -> list[Fingerprint]:
        """Fingerprints of stored articles that share at least one LSH band key."""
        return await self._run(lambda conn: _sharing_bands(conn, bands, limit), "read", heavy=True)

    @store_errors
    async def fingerprint_of(self, article_id: int) -> Fingerprint | None:
        """The stored fingerprint of an article, or None."""
        found = await self._read(_fingerprints().where(_SIG.article_id == article_id))
        return _fingerprint(found[0]) if found else None

    @store_errors
    async def link_article(
        self,
        article_id: int,
        urls: Sequence[str],
        fingerprint: Fingerprint | None,
        source: StorySource,
        join_story: int | None = None,
    ) -> int:
        """Record a stored article's URLs, fingerprint and story; returns its story id."""

        def link(conn: sa.Connection) -> int:
            return self._link(conn, article_id, urls, fingerprint, source, join_story)

        return await self._write(link)

    @store_errors
    async def store_page(
        self, page: PageWrite, choose_story: Callable[[list[Fingerprint]], int | None]
    ) -> tuple[StoredResult, int]:
        """Store one page's article in one transaction, with everything that goes with it:
        the site's line counts, then the article (`add_article`: a stored body makes it a
        copy, which joins the stored article's story as a source), then its URLs, fingerprint
        and story (`link_article`). The story it joins is `choose_story`'s pick among the
        stored fingerprints that share a band with it. Returns the result and the story."""

        def write(conn: sa.Connection) -> tuple[StoredResult, int]:
            if page.site and (rows := _line_rows(page.site, page.line_keys)):
                conn.execute(_count_lines(self.dialect), rows)
            result = self._put_article(conn, page.article, None)
            source = replace(page.source, article_id=result.article_id)
            if result.status == "duplicate":
                return result, self._join_story(conn, result.article_id, page.urls, source)
            fingerprint, join = page.fingerprint, None
            if fingerprint is not None:
                known = _sharing_bands(conn, fingerprint.bands, SIMILAR)
                join = choose_story(
                    [k for k in known if k.article_id != result.article_id and k.story_id]
                )
            story = self._link(conn, result.article_id, page.urls, fingerprint, source, join)
            return result, story

        return await self._write_article(write)

    def _link(
        self,
        conn: sa.Connection,
        article_id: int,
        urls: Sequence[str],
        fingerprint: Fingerprint | None,
        source: StorySource,
        join_story: int | None,
    ) -> int:
        """`link_article`'s writes, inside a transaction."""
        story = self._story_of(conn, article_id, join_story)
        self._add_urls(conn, article_id, urls)
        statements = _link_statements(self.dialect)
        conn.execute(statements.drop_bands, {"row_id": article_id})
        if fingerprint is not None:
            values = {"shingles": fingerprint.shingles, "signature": fingerprint.values}
            conn.execute(statements.signature, {"article_id": article_id, **values})
            rows = [{"band": b, "article_id": article_id} for b in dict.fromkeys(fingerprint.bands)]
            if rows:
                conn.execute(statements.bands, rows)
        self._add_source(conn, story, source)
        return story

    @store_errors
    async def add_story_source(
        self, article_id: int, urls: Sequence[str], source: StorySource
    ) -> int:
        """A copy of a stored article seen elsewhere joins the article's story."""
        return await self._write(lambda conn: self._join_story(conn, article_id, urls, source))

    def _join_story(
        self, conn: sa.Connection, article_id: int, urls: Sequence[str], source: StorySource
    ) -> int:
        """`add_story_source`'s writes, inside a transaction."""
        story = self._story_of(conn, article_id, None)
        self._add_urls(conn, article_id, urls)
        self._add_source(conn, story, source)
        return story

    @store_errors
    async def story_sources(self, story_id: int) -> list[StorySource]:
        """Every known source of a story, first seen first."""
        S = story_sources.c
        query = (
            sa.select(S.url, S.source, S.title, S.article_id, S.seen)
            .where(S.story_id == story_id)
            .order_by(S.seen, S.url)
        )
        return [StorySource(*row) for row in await self._read(query)]

    def _story_of(self, conn: sa.Connection, article_id: int, join: int | None) -> int:
        """The article's story: the one it has, else `join`, else a new one (in a transaction)."""
        statements = _link_statements(self.dialect)
        row = conn.execute(statements.story_of, {"row_id": article_id}).first()
        if row is None:
            raise StoreError(f"article {article_id} is not stored")
        if row.story_id is not None:
            return int(row.story_id)
        story = join
        if story is None:
            story = int(conn.execute(statements.new_story, {"created": utcnow()}).scalar_one())
        conn.execute(statements.set_story, {"row_id": article_id, "story_id": story})
        return story

    def _add_urls(self, conn: sa.Connection, article_id: int, urls: Sequence[str]) -> None:
        """Map URLs to the article; a URL already mapped keeps its first article."""
        rows = [{"url": url, "article_id": article_id} for url in dict.fromkeys(urls)]
        if rows:
            conn.execute(_link_statements(self.dialect).urls, rows)

    def _add_source(self, conn: sa.Connection, story: int, source: StorySource) -> None:
        """Record (or refresh) one source of a story."""
        values = {"source": source.source, "title": source.title, "article_id": source.article_id}
        row = {"story_id": story, "url": source.url, "seen": source.seen, **values}
        conn.execute(_link_statements(self.dialect).source, row)
