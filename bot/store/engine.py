"""How the store reaches its database: a runner per backend that runs the store's queries.

Every query of the store is written once, as a plain function of a SQLAlchemy `Connection`
(`Work`). A runner runs it in one of three modes: "read" (no transaction), "write" (one
transaction, committed at the end, rolled back on any error) or "own" (the work opens its
transactions itself: migrations).

- PostgreSQL: SQLAlchemy's async engine on psycopg 3; the work runs through
  `AsyncConnection.run_sync`. Reads use their own pool of autocommit connections: a read is
  one round trip, not BEGIN, the query and ROLLBACK.
- SQLite: SQLAlchemy's engine on the standard sqlite3 driver. Point reads run inline on the
  event loop: a WAL reader never waits for a lock, and the read takes tens of microseconds.
  Writes run in one writer thread, where a write may wait out another process's lock (busy
  timeout); heavy reads (`heavy=True`: full-text search, counts) in READ_THREADS reader
  threads, each with its own connection, in parallel (WAL), while sqlite3 leaves the GIL to
  the loop. Measured (docs/decisions/0009):
  SQLAlchemy's aiosqlite adapter makes five trips to its thread per statement, 7x slower
  per read and 14x under 50 concurrent readers than one trip; a thread per read, 3x.
  Writes begin with `BEGIN IMMEDIATE`, taking the write lock first, so two writers never
  deadlock upgrading from read to write.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_SECONDS = 5.0
CACHE_KIB = 32_768  # SQLite page cache per connection: the hot part of the FTS index
POOL_SIZE = 10
WAL_RETRIES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.5)  # about 4 s in all
READ_THREADS = 2  # SQLite threads for heavy reads (this machine has two cores)
CONNECT_TIMEOUT_SECONDS = 10

R = TypeVar("R")
Work = Callable[[sa.Connection], R]
Mode = Literal["read", "write", "own"]


def check_url(database_url: str) -> None:
    """ConfigError unless DATABASE_URL names SQLite or PostgreSQL."""
    if not database_url.startswith(("sqlite:///", *POSTGRES_SCHEMES)):
        raise ConfigError(
            f"DATABASE_URL: unsupported scheme in {database_url.split(':', 1)[0]!r}; "
            "use sqlite:///path/to/file.db or postgresql://user@host/dbname"
        )


def describe(database_url: str) -> str:
    """The database for messages: a SQLite path, or a PostgreSQL URL without its password."""
    if database_url.startswith("sqlite:///"):
        return database_url.removeprefix("sqlite:///")
    url = sa.make_url(database_url).set(password=None, query={})
    return url.render_as_string(hide_password=True)


class Runner(Protocol):
    """Runs the store's work on its database."""

    async def run(self, work: Work[R], mode: Mode, *, heavy: bool = False) -> R:
        """Run `work` in `mode`; `heavy` reads may take milliseconds."""

    async def dispose(self) -> None:
        """Close every connection."""


class PostgresRunner:
    """Work on PostgreSQL through SQLAlchemy's async engine (psycopg 3)."""

    def __init__(self, database_url: str, pool_size: int = POOL_SIZE) -> None:
        url = sa.make_url(database_url).set(drivername="postgresql+psycopg")
        options: dict[str, Any] = {
            "pool_size": pool_size,
            "max_overflow": 0,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        }
        self.engine: AsyncEngine = create_async_engine(url, **options)
        # Reads are planned for their own values every time (PostgreSQL 12 or later): once
        # psycopg prepares a search (its fifth run), PostgreSQL may otherwise keep one generic
        # plan for every topic, one that cannot tell "election" (184k matches) from a rare
        # name (measured: 1.67 s vs 0.85 s). Prepared, a search is not parsed again: at the
        # median topic of the 100k benchmark 0.4-0.5 ms less a search (the statement alone,
        # 3.3 -> 2.7 ms).
        self._reader = create_async_engine(
            _with_option(url, "plan_cache_mode=force_custom_plan"),
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
            **options,
        )

    async def run(self, work: Work[R], mode: Mode, *, heavy: bool = False) -> R:
        """Run `work` on a pooled connection."""
        async with (self._reader if mode == "read" else self.engine).connect() as connection:
            if mode == "write":
                async with connection.begin():
                    return await connection.run_sync(work)
            return await connection.run_sync(work)

    async def dispose(self) -> None:
        """Close both pools."""
        await self.engine.dispose()
        await self._reader.dispose()


def _with_option(url: sa.URL, setting: str) -> sa.URL:
    """`url` with a server setting added to the libpq `options` it may already carry."""
    given = url.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    return url.update_query_dict({"options": f"{given} -c {setting}".strip()})


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Pragmas for a new SQLite connection; transactions are begun by us, not the driver."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _use_wal(cursor)
    for pragma in (
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA cache_size = -{CACHE_KIB}",
        f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode (it stays so). Switching a new file takes an exclusive lock
    and SQLite answers "database is locked" at once, without its busy handler, while another
    connection holds the file (two instances starting on a new file): retried a few seconds."""
    for delay in WAL_RETRIES:
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        time.sleep(delay)
    cursor.execute("PRAGMA journal_mode = WAL")


def _sqlite_begin(connection: sa.Connection) -> None:
    """BEGIN IMMEDIATE for a write; a read begins nothing (it sees the latest commit)."""
    if connection.info.get("write"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqliteRunner:
    """Work on a SQLite file: point reads inline, writes in one thread, heavy reads in
    READ_THREADS more (WAL readers run in parallel, and sqlite3 leaves the GIL while it works:
    8 concurrent callers searching 100k articles: 125 → 160 searches a second with two)."""

    def __init__(self, database_url: str) -> None:
        self.engine = sa.create_engine(
            database_url,
            pool_size=2 + READ_THREADS,
            max_overflow=0,
            connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _sqlite_connect)
        sa.event.listen(self.engine, "begin", _sqlite_begin)
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sqlite-w")
        self._readers = concurrent.futures.ThreadPoolExecutor(
            READ_THREADS, thread_name_prefix="sqlite-r"
        )
        self._inline: sa.Connection | None = None  # the event loop's
        self._local = threading.local()  # each worker thread's connection
        self._opened: list[sa.Connection] = []  # every worker connection, to close

    async def run(self, work: Work[R], mode: Mode, *, heavy: bool = False) -> R:
        """Run `work` inline (a point read), in a reader thread or in the writer thread."""
        if mode == "read" and not heavy:
            if self._inline is None:
                self._inline = self.engine.connect()
            return _perform(self._inline, work, mode)
        threads = self._readers if mode == "read" else self._writer
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(threads, functools.partial(self._work, work, mode))

    def _work(self, work: Work[R], mode: Mode) -> R:
        """In a worker thread: its connection, then `work`."""
        connection: sa.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self.engine.connect()
            self._opened.append(connection)
        return _perform(connection, work, mode)

    async def dispose(self) -> None:
        """Stop the threads, close every connection."""
        inline, self._inline = self._inline, None
        if inline is not None:
            inline.close()
        for threads in (self._readers, self._writer):
            await asyncio.to_thread(threads.shutdown, wait=True)
        for connection in self._opened:  # their threads have ended: nothing uses them now
            connection.close()
        self._opened.clear()
        self.engine.dispose()


def _perform(connection: sa.Connection, work: Work[R], mode: Mode) -> R:
    """Run `work` on a SQLite connection in `mode`."""
    connection.info["write"] = mode != "read"
    if mode == "write":
        with connection.begin():
            return work(connection)
    try:
        return work(connection)
    finally:
        if connection.in_transaction():  # a read's (empty) transaction, or a failed one
            connection.rollback()


def make_runner(database_url: str, pool_size: int = POOL_SIZE) -> Runner:
    """The runner for DATABASE_URL; nothing is connected yet."""
    check_url(database_url)
    if database_url.startswith("sqlite:///"):
        return SqliteRunner(database_url)
    return PostgresRunner(database_url, pool_size)
