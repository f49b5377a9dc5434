"""Table-level access to each backend for `bot.store.transfer`: list, read, write rows.

Each backend converts incoming plain-JSON values to what its columns hold, by the column's
declared type, and refuses a column it does not have (that would lose data silently).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

import aiosqlite
from psycopg import sql

from bot.errors import StoreError
from bot.store.pg_pool import Conn
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

Row = dict[str, Any]
Analyzer = Callable[[str], str]
_IDENTITY_TABLES = ("stories", "articles", "feeds", "subscriptions", "topics")
_PG_INDEX = """
    INSERT INTO article_fts (article_id, when_ts, tsv)
    VALUES (%s, %s, setweight(to_tsvector('simple', %s), 'A')
                    || setweight(to_tsvector('simple', %s), 'B'))
"""


class Backend(Protocol):
    """What export and import need from a store."""

    name: str

    async def tables(self) -> set[str]:
        """Names of the tables in the database."""

    def rows(self, table: str) -> AsyncIterator[Row]:
        """Every row of a table, as column → value."""

    def transaction(self) -> Any:
        """An async context: everything inside commits together or not at all."""

    async def is_empty(self) -> bool:
        """Whether no data table holds a row."""

    async def insert(self, table: str, rows: list[Row]) -> None:
        """Insert rows (inside `transaction`), converting values to the column types."""

    async def rebuild_index(self, analyze: Analyzer) -> None:
        """Fill the search index from the articles (inside `transaction`)."""

    async def after_import(self) -> None:
        """Bookkeeping after rows were inserted with their ids (inside `transaction`)."""


def _moment(value: str) -> datetime:
    """ISO text as an aware datetime (naive is UTC)."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_columns(table: str, row: Row, columns: dict[str, str]) -> None:
    """Refuse a row with a column the target table lacks."""
    missing = set(row) - set(columns)
    if missing:
        raise StoreError(f"table {table} in the target has no column {sorted(missing)[0]!r}")


class SqliteBackend:
    """Rows of a `SqliteStore` (its one connection)."""

    name = "sqlite"

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._db: aiosqlite.Connection = store._conn()

    async def tables(self) -> set[str]:
        """Names of the tables in the database."""
        async with self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as c:
            return {str(row[0]) for row in await c.fetchall()}

    async def _columns(self, table: str) -> dict[str, tuple[str, int]]:
        """Column name → (declared type, position in the primary key)."""
        async with self._db.execute(f"PRAGMA table_info({table})") as cursor:
            return {str(r[1]): (str(r[2]).upper(), int(r[5])) for r in await cursor.fetchall()}

    async def rows(self, table: str) -> AsyncIterator[Row]:
        """Every row of a table in primary-key order."""
        columns = await self._columns(table)
        keys = sorted((pk, name) for name, (_, pk) in columns.items() if pk)
        order = ", ".join(name for _, name in keys) or "rowid"
        async with self._db.execute(f"SELECT * FROM {table} ORDER BY {order}") as cursor:
            names = [d[0] for d in cursor.description]
            async for row in cursor:
                yield dict(zip(names, row, strict=True))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE ... COMMIT under the store's write lock."""
        async with self._store._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise

    async def is_empty(self) -> bool:
        """Whether no data table holds a row."""
        for table in ("articles", "subscriptions", "chat_settings", "feeds", "topics"):
            async with self._db.execute(f"SELECT 1 FROM {table} LIMIT 1") as cursor:
                if await cursor.fetchone():
                    return False
        return True

    async def insert(self, table: str, rows: list[Row]) -> None:
        """Insert rows: lists become JSON text, booleans 0/1."""
        columns = {name: kind for name, (kind, _) in (await self._columns(table)).items()}
        for row in rows:
            _check_columns(table, row, columns)
        names = list(rows[0])
        marks = ", ".join("?" * len(names))
        statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        await self._db.executemany(statement, [[_to_sqlite(row[n]) for n in names] for row in rows])

    async def rebuild_index(self, analyze: Analyzer) -> None:
        """Fill `article_fts` with the analyzed title and body of every article."""
        await self._db.execute("DELETE FROM article_fts")
        async with self._db.execute("SELECT id, title, text FROM articles") as cursor:
            found = await cursor.fetchall()
        await self._db.executemany(
            "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
            [(row[0], analyze(row[1]), analyze(row[2])) for row in found],
        )

    async def after_import(self) -> None:
        """Nothing to do: SQLite ids continue from the largest one."""


def _to_sqlite(value: Any) -> Any:
    """A plain value as SQLite stores it here."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


class PgBackend:
    """Rows of a `PostgresStore` (one pooled connection for the whole import)."""

    name = "postgresql"

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._conn: Conn | None = None

    @asynccontextmanager
    async def _use(self) -> AsyncIterator[Conn]:
        """The transaction's connection, or a pooled one outside a transaction."""
        if self._conn is not None:
            yield self._conn
        else:
            async with self._store.connection() as conn:
                yield conn

    async def tables(self) -> set[str]:
        """Names of the tables in the store's schema."""
        query = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        async with self._use() as conn:
            return {str(row[0]) for row in await (await conn.execute(query)).fetchall()}

    async def _columns(self, conn: Conn, table: str) -> dict[str, str]:
        """Column name → data type as information_schema names it."""
        query = """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = %s
        """
        return {
            str(r[0]): str(r[1]) for r in await (await conn.execute(query, (table,))).fetchall()
        }

    async def rows(self, table: str) -> AsyncIterator[Row]:
        """Every row of a table, streamed through a server-side cursor."""
        async with self._use() as conn, conn.transaction():
            cursor = conn.cursor(name=f"export_{table}")
            await cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            async for row in cursor:
                names = [d.name for d in cursor.description or ()]
                yield dict(zip(names, row, strict=True))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One transaction on one connection for everything inside."""
        async with self._store.connection() as conn, conn.transaction():
            self._conn = conn
            try:
                yield
            finally:
                self._conn = None

    async def is_empty(self) -> bool:
        """Whether no data table holds a row."""
        async with self._use() as conn:
            for table in ("articles", "subscriptions", "chat_settings", "feeds", "topics"):
                query = sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))
                if await (await conn.execute(query)).fetchone():
                    return False
        return True

    async def insert(self, table: str, rows: list[Row]) -> None:
        """Insert rows: ISO text becomes TIMESTAMPTZ, JSON text arrays, 0/1 booleans."""
        async with self._use() as conn:
            columns = await self._columns(conn, table)
            for row in rows:
                _check_columns(table, row, columns)
            names = list(rows[0])
            statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                sql.Identifier(table),
                sql.SQL(", ").join(sql.Identifier(n) for n in names),
                sql.SQL(", ").join(sql.Placeholder() for _ in names),
            )
            values = [[_to_pg(row[n], columns[n]) for n in names] for row in rows]
            async with conn.cursor() as cursor:
                await cursor.executemany(statement, values)

    async def rebuild_index(self, analyze: Analyzer) -> None:
        """Fill `article_fts` with the analyzed title and body of every article."""
        async with self._use() as conn:
            await conn.execute("DELETE FROM article_fts")
            found = await (
                await conn.execute("SELECT id, when_ts, title, text FROM articles")
            ).fetchall()
            values = [(r[0], r[1], analyze(r[2]), analyze(r[3])) for r in found]
            async with conn.cursor() as cursor:
                await cursor.executemany(_PG_INDEX, values)

    async def after_import(self) -> None:
        """Move each identity sequence past the largest imported id, then ANALYZE."""
        async with self._use() as conn:
            for table in _IDENTITY_TABLES:
                query = sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "coalesce(max(id), 0) + 1, false) FROM {table}"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
                await conn.execute(query)
            await conn.execute("ANALYZE")


def _to_pg(value: Any, kind: str) -> Any:
    """A plain value as the PostgreSQL column type `kind` wants it."""
    if value is None:
        return None
    if kind.startswith("timestamp") and isinstance(value, str):
        return _moment(value)
    if kind == "ARRAY" and isinstance(value, str):
        return json.loads(value)
    if kind == "boolean" and isinstance(value, int):
        return bool(value)
    return value
