"""The PostgreSQL connection pool and schema gate shared by the parts of `PostgresStore`.

Owns the psycopg 3 async pool (autocommit connections; multi-statement writes open explicit
transactions), the check that the schema is migrated before the store is used, and the
translation of driver failures into `StoreError`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.errors import SchemaError, StoreError
from bot.store import pg_schema

POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT_SECONDS = 10.0

P = ParamSpec("P")
R = TypeVar("R")
Conn = AsyncConnection[Any]


def pg_errors(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turn psycopg and pool failures into `StoreError`, the domain error callers know."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except (psycopg.Error, PoolTimeout) as exc:
            raise StoreError(f"article database error: {exc}") from exc

    return wrapper


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{parts.username or ''}@{host}{port}{parts.path}"


class PgPoolOwner:
    """Opens and closes the pool; subclasses reach the database through `connection()`."""

    def __init__(self, url: str, *, auto_migrate: bool = False, pool_max: int = POOL_MAX) -> None:
        """Remember where the database is; nothing is opened yet."""
        self.url = url
        self.auto_migrate = auto_migrate
        self._pool_max = pool_max
        self._pool: AsyncConnectionPool[Conn] | None = None

    @property
    def where(self) -> str:
        """The database, password left out."""
        return describe(self.url)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """A pooled connection in autocommit mode (StoreError when the store is not open)."""
        if self._pool is None:
            raise StoreError(f"article store {self.where} is not open")
        async with self._pool.connection() as conn:
            yield conn

    async def open(self) -> None:
        """Connect and check the schema version (migrating only if AUTO_MIGRATE allows)."""
        if self._pool is not None:
            return
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self.url,
            min_size=POOL_MIN,
            max_size=self._pool_max,
            kwargs={"autocommit": True},
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
            async with pool.connection() as conn:
                await self._check_schema(conn)
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, psycopg.Error | PoolTimeout):
                raise SchemaError(f"cannot open article database {self.where}: {exc}") from exc
            raise
        self._pool = pool

    async def _check_schema(self, conn: Conn) -> None:
        """Refuse a newer schema, and an older or empty one unless AUTO_MIGRATE is on."""
        version = await pg_schema.schema_version(conn)
        pg_schema.check_version(version, self.where, allow_older=self.auto_migrate)
        if version < pg_schema.SCHEMA_VERSION:
            await pg_schema.migrate(conn, self.where)

    async def migrate(self) -> tuple[int, int]:
        """Bring the schema up to date (`newsbot db migrate`); (version before, after)."""
        try:
            async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                return await pg_schema.migrate(conn, self.where)
        except psycopg.Error as exc:
            raise SchemaError(f"cannot migrate {self.where}: {exc}") from exc

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
