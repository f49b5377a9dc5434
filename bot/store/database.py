"""What every part of `SqlStore` shares: the runner, reads, writes, errors, open and close.

A part writes each operation once, as a function of a SQLAlchemy `Connection`, and hands it
to `_write` (one transaction) or reads with `_read`; `bot.store.engine` runs it on SQLite or
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa

from bot.errors import SchemaError, StoreError
from bot.store import migrate
from bot.store.dialects import Dialect, dialect_for
from bot.store.engine import POOL_SIZE, Mode, Runner, Work, describe, make_runner

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
    """Owns the runner; the parts of the store reach the database through `_read`/`_write`."""

    def __init__(self, database_url: str, *, auto_migrate: bool = False) -> None:
        """Remember where the database is; nothing is opened yet."""
        self.url = database_url
        self.where = describe(database_url)
        self.auto_migrate = auto_migrate  # open() may upgrade an older schema
        self.dialect: Dialect = dialect_for(database_url)
        self._runner: Runner | None = None

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (one writer at a time, no fleet)."""
        return self.dialect.single_writer

    async def open(self) -> None:
        """Check (or create, or with AUTO_MIGRATE upgrade) the schema, then connect."""
        if self._runner is not None:
            return
        runner = await self._runner_for_file()
        try:
            await migrate.open_gate(
                runner, self.where, auto_migrate=self.auto_migrate, create_blank=self.is_sqlite
            )
        except BaseException as exc:
            await runner.dispose()
            reason = getattr(exc, "orig", None) or exc
            unavailable = sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError
            if isinstance(exc, unavailable):
                raise StoreError(f"{self.where}: {reason}") from exc  # no file, no server
            if isinstance(exc, sa.exc.SQLAlchemyError):  # not a database of ours
                raise SchemaError(f"cannot open article database {self.where}: {reason}") from exc
            raise
        self._runner = runner

    async def migrate(self) -> tuple[migrate.Schema, migrate.Schema]:
        """Bring the schema up to date (`newsbot db migrate`); the schema before and after."""
        runner = await self._runner_for_file(pool_size=1)
        try:
            return await migrate.migrate(runner, self.where)
        except sa.exc.SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise SchemaError(f"cannot migrate {self.where}: {reason}") from exc
        finally:
            await runner.dispose()

    async def _runner_for_file(self, pool_size: int = POOL_SIZE) -> Runner:
        """A runner for the database, after creating a SQLite file's folders."""
        if self.is_sqlite:
            await asyncio.to_thread(_make_parent, self.url.removeprefix("sqlite:///"))
        return make_runner(self.url, pool_size)

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self.is_sqlite:  # refresh planner statistics; another process may hold the lock
            with contextlib.suppress(sa.exc.OperationalError):
                await runner.run(lambda c: c.exec_driver_sql("PRAGMA optimize"), "read")
        await runner.dispose()

    async def _run(self, work: Work[R], mode: Mode, *, heavy: bool = False) -> R:
        """Run `work` (StoreError if `open()` was not called)."""
        if self._runner is None:
            raise StoreError(f"article store {self.where} is not open")
        return await self._runner.run(work, mode, heavy=heavy)

    async def _read(
        self,
        statement: sa.Executable,
        parameters: dict[str, Any] | None = None,
        *,
        heavy: bool = False,
    ) -> Sequence[Row]:
        """Every row of a read-only statement; `heavy`: one that may take milliseconds."""
        return await self._run(
            lambda c: c.execute(statement, parameters).all(), "read", heavy=heavy
        )

    async def _write(self, work: Work[R]) -> R:
        """Run `work` in one transaction, committed at the end, rolled back on any error."""
        return await self._run(work, "write")

    async def _execute(self, statement: sa.Executable, parameters: Any = None) -> None:
        """One statement in its own transaction (`parameters`: a dict, or a list for many)."""
        await self._write(lambda c: c.execute(statement, parameters))
