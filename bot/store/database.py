"""What every part of `SqlStore` shares: the engine, reads, write transactions, errors.

Reads run on a connection that begins no transaction on SQLite (`engine.READ_ONLY`), so they
never hold the write lock; writes run in `BEGIN IMMEDIATE ... COMMIT` (SQLite) or a
READ COMMITTED transaction (PostgreSQL). SQLite has one writer at a time: this process's
writers queue on an asyncio lock rather than in SQLite's busy handler, which sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.errors import SchemaError, StoreError
from bot.store import migrate
from bot.store.dialects import Dialect, dialect_for
from bot.store.engine import READ_ONLY, describe, make_engine

P = ParamSpec("P")
R = TypeVar("R")
Row = sa.Row[*tuple[Any, ...]]  # a result row of any width
CHUNK = 500  # values per `IN (...)`, well under SQLite's bound-parameter limit


def store_errors(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turn database failures into `StoreError`, the domain error callers know."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database error: {getattr(exc, 'orig', None) or exc}") from exc

    return wrapper


def chunks(values: Sequence[Any]) -> list[list[Any]]:
    """`values` without repeats, in lists of at most CHUNK."""
    unique = list(dict.fromkeys(values))
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]


def _make_parent(path: str) -> None:
    """Create the folders that will hold a SQLite file."""
    if path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


class Database:
    """Owns the engine; the parts of the store reach the database through `_read`/`_write`."""

    def __init__(self, database_url: str, *, auto_migrate: bool = False) -> None:
        """Remember where the database is; nothing is opened yet."""
        self.url = database_url
        self.where = describe(database_url)
        self.auto_migrate = auto_migrate  # open() may upgrade an older schema
        self.dialect: Dialect = dialect_for(database_url)
        self._engine: AsyncEngine | None = None
        self._reader: AsyncEngine | None = None
        self._write_lock = asyncio.Lock() if self.dialect.single_writer else None

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (one writer at a time)."""
        return self.dialect.single_writer

    async def open(self) -> None:
        """Check (or create, or with AUTO_MIGRATE upgrade) the schema, then connect."""
        if self._engine is not None:
            return
        if self.is_sqlite:
            await asyncio.to_thread(_make_parent, self.url.removeprefix("sqlite:///"))
        engine = make_engine(self.url)
        try:
            await migrate.open_gate(
                self.url, auto_migrate=self.auto_migrate, create_blank=self.is_sqlite
            )
            async with engine.connect() as connection:  # fail now, not at the first command
                await connection.execute(sa.select(1))
        except BaseException as exc:
            await engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            unavailable = sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError
            if isinstance(exc, unavailable):
                raise StoreError(f"{self.where}: {reason}") from exc  # no file, no server
            if isinstance(exc, sa.exc.SQLAlchemyError):  # not a database of ours
                raise SchemaError(f"cannot open article database {self.where}: {reason}") from exc
            raise
        self._engine = engine
        self._reader = engine.execution_options(**READ_ONLY)

    async def migrate(self) -> tuple[migrate.Schema, migrate.Schema]:
        """Bring the schema up to date (`newsbot db migrate`); the schema before and after."""
        try:
            return await migrate.migrate(self.url)
        except sa.exc.SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise SchemaError(f"cannot migrate {self.where}: {reason}") from exc

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        engine, self._engine, self._reader = self._engine, None, None
        if engine is None:
            return
        if self.is_sqlite:  # refresh planner statistics; another process may hold the lock
            with contextlib.suppress(sa.exc.OperationalError):
                async with engine.connect() as connection:
                    await connection.exec_driver_sql("PRAGMA optimize")
        await engine.dispose()

    def _engine_or_fail(self, reader: bool = False) -> AsyncEngine:
        """The open engine, or StoreError if `open()` was not called."""
        engine = self._reader if reader else self._engine
        if engine is None:
            raise StoreError(f"article store {self.where} is not open")
        return engine

    async def _read(self, statement: sa.Executable) -> Sequence[Row]:
        """Every row of a read-only statement."""
        async with self._engine_or_fail(reader=True).connect() as connection:
            return (await connection.execute(statement)).all()

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction, committed at the end and rolled back on any error."""
        engine = self._engine_or_fail()
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            yield await stack.enter_async_context(engine.begin())
