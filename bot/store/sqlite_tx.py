"""What the parts of the SQLite store share: error translation and write transactions.

One connection serves every coroutine, so writes take the store's lock and run inside
`BEGIN IMMEDIATE ... COMMIT`. While a read is still in flight on that connection (a cursor
left open between trips to the database thread), SQLite answers "database is locked" at
once instead of waiting out its busy timeout (SQLITE_BUSY, or SQLITE_BUSY_SNAPSHOT when
another connection's commit made the read's snapshot stale). Reads are therefore made in
one trip (`execute_fetchall`), and `begin_immediate` retries for a few seconds instead of
failing the write.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

import aiosqlite

from bot.errors import StoreError

BEGIN_RETRIES = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.5)  # about 4 s in all

P = ParamSpec("P")
R = TypeVar("R")


def store_errors(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turn sqlite3 failures into `StoreError`, the domain error callers know."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"database error: {exc}") from exc

    return wrapper


async def begin_immediate(db: aiosqlite.Connection) -> None:
    """BEGIN IMMEDIATE, retried while the database is locked (see the module docstring)."""
    for delay in BEGIN_RETRIES:
        try:
            await db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        await asyncio.sleep(delay)
    await db.execute("BEGIN IMMEDIATE")


@asynccontextmanager
async def write_transaction(
    db: aiosqlite.Connection, lock: asyncio.Lock
) -> AsyncIterator[aiosqlite.Connection]:
    """BEGIN IMMEDIATE ... COMMIT under `lock`, rolled back on any error."""
    async with lock:
        await begin_immediate(db)
        try:
            yield db
            await db.commit()
        except BaseException:
            await db.rollback()
            raise


class SqlitePart:
    """What the parts of `SqliteStore` share: its connection, its write lock, one-trip reads."""

    _write_lock: asyncio.Lock

    def _conn(self) -> aiosqlite.Connection:
        """The open connection (provided by `SqliteStore`)."""
        raise NotImplementedError

    async def _rows(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        """All rows of a read-only query, in one trip to the database thread.

        A read never stays open between trips (as `async with execute() as cursor` would,
        while other coroutines run), so a write's BEGIN IMMEDIATE never meets an unfinished
        read of ours (see above), and each read is one wait in the thread's queue.
        """
        return list(await self._conn().execute_fetchall(sql, parameters))
