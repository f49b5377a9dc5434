"""`newsbot db export` / `import`: every table of a store as a JSON Lines stream, either way.

The tables are declared once (`bot.store.tables`), so a dump is backend-neutral: a header
line, then one `{"table": ..., "row": {...}}` line per row, tables in foreign-key order.
Values are plain JSON (times as ISO 8601 text, lists as lists, `bytes` as `{"$b64": ...}`);
the column types turn them back into what each backend holds. The search index is derived
data: it is not exported, and import rebuilds it (`Dialect.reindex`). Import wants a
migrated, empty target and runs in one transaction, so a failed import leaves the target as
it was.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

import sqlalchemy as sa

from bot.errors import StoreError
from bot.store import tables
from bot.store.sqlstore import SqlStore

FORMAT = "newsbot-export"
FORMAT_VERSION = 1
# Foreign-key order: a table comes after every table it references.
TABLES = (
    "stories",
    "articles",
    "article_tags",
    "article_urls",
    "article_signatures",
    "signature_bands",
    "story_sources",
    "feeds",
    "feed_entries",
    "site_lines",
    "subscriptions",
    "chat_settings",
    "deliveries",
    "topics",
)
BATCH = 1000


def _plain(value: Any) -> Any:
    """A column value as plain JSON."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _from_plain(value: Any) -> Any:
    """Undo the one JSON wrapper `_plain` adds (bytes)."""
    if isinstance(value, dict) and set(value) == {"$b64"}:
        return base64.b64decode(value["$b64"])
    return value


async def export(store: SqlStore, out: TextIO) -> dict[str, int]:
    """Write every row of the store to `out`; rows per table."""

    def dump(conn: sa.Connection) -> dict[str, int]:
        header = {"format": FORMAT, "version": FORMAT_VERSION, "backend": store.dialect.name}
        out.write(json.dumps(header) + "\n")
        counts: dict[str, int] = {}
        for name in TABLES:
            table = tables.metadata.tables[name]
            counts[name] = 0
            query = sa.select(table).order_by(*table.primary_key.columns)
            for row in conn.execute(query.execution_options(yield_per=BATCH)):
                line = {"table": name, "row": {k: _plain(v) for k, v in row._mapping.items()}}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                counts[name] += 1
        return counts

    # PostgreSQL streams rows through a server-side cursor, which lives in a transaction.
    return await store._run(dump, "read" if store.is_sqlite else "write", heavy=True)


def _read(lines: Iterable[str]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(table, row) pairs from a dump, after checking its header."""
    iterator = iter(lines)
    first = next(iterator, "")
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError("not a newsbot export: the first line is not its header")
    if int(header.get("version", 0)) > FORMAT_VERSION:
        raise StoreError(f"export format {header['version']} is newer than this newsbot's")
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield str(record["table"]), {k: _from_plain(v) for k, v in record["row"].items()}
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise StoreError(f"export line {number} is damaged: {exc}") from exc


def _batches(
    records: Iterable[tuple[str, dict[str, Any]]],
) -> Iterable[tuple[sa.Table, list[dict[str, Any]]]]:
    """Consecutive rows of one table, at most BATCH at a time, checked against the table."""
    name, batch = "", list[dict[str, Any]]()
    for table, row in records:
        if (table != name or len(batch) >= BATCH) and batch:
            yield tables.metadata.tables[name], batch
            batch = []
        if table not in TABLES:
            raise StoreError(f"the target database has no table {table!r}")
        columns = tables.metadata.tables[table].c
        if missing := set(row) - set(columns.keys()):
            raise StoreError(f"table {table} in the target has no column {sorted(missing)[0]!r}")
        for key, value in row.items():  # 0/1 from dumps of older SQLite stores
            if isinstance(columns[key].type, sa.Boolean) and value is not None:
                row[key] = bool(value)
        name = table
        batch.append(row)
    if batch:
        yield tables.metadata.tables[name], batch


async def import_dump(store: SqlStore, lines: Iterable[str]) -> dict[str, int]:
    """Load a dump into an empty, migrated store and rebuild its search index; rows per table."""

    def load(conn: sa.Connection) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name in ("articles", "subscriptions", "chat_settings", "feeds", "topics"):
            if conn.execute(sa.select(tables.metadata.tables[name]).limit(1)).first():
                raise StoreError("the target database is not empty; import needs an empty one")
        for table, batch in _batches(_read(lines)):
            conn.execute(sa.insert(table), batch)
            counts[table.name] = counts.get(table.name, 0) + len(batch)
        for statement in store.dialect.before_import:
            conn.execute(sa.text(statement))
        store.dialect.reindex(conn)
        for statement in store.dialect.after_import:
            conn.execute(sa.text(statement))
        bump = tables.store_state.c.articles_version + 1
        conn.execute(sa.update(tables.store_state).values(articles_version=bump))
        return counts

    return await store._write(load)
