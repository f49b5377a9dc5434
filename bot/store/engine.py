"""The SQLAlchemy async engine for a DATABASE_URL: aiosqlite for SQLite, psycopg 3 for PostgreSQL.

SQLite connections get their pragmas when they open (WAL, foreign keys, a busy timeout) and
run without the driver's implicit transactions: a transaction the store begins is `BEGIN
IMMEDIATE` (it takes the write lock first, so two writers never deadlock on an upgrade from
read to write), and a connection marked `READ_ONLY` begins none (each read sees the latest
commit and never holds the lock).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_SECONDS = 5.0
CACHE_KIB = 32_768  # SQLite page cache per connection: the hot part of the FTS index
POOL_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10
READ_ONLY = {"newsbot_read_only": True}  # execution option: no BEGIN on SQLite


def driver_url(database_url: str) -> sa.URL:
    """DATABASE_URL (sqlite:///file, postgresql://...) with the async driver named."""
    if database_url.startswith("sqlite:///"):
        return sa.make_url(database_url).set(drivername="sqlite+aiosqlite")
    if database_url.startswith(POSTGRES_SCHEMES):
        return sa.make_url(database_url).set(drivername="postgresql+psycopg")
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


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Pragmas for a new SQLite connection; transactions are begun by us, not the driver."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA cache_size = -{CACHE_KIB}",
        f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    """BEGIN IMMEDIATE, unless the connection only reads."""
    if not connection.get_execution_options().get("newsbot_read_only"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """An engine for DATABASE_URL; nothing is connected yet."""
    url = driver_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
            pool_size=pool_size,
            max_overflow=0,
        )
        sa.event.listen(engine.sync_engine, "connect", _sqlite_connect)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
