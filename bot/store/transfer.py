"""`newsbot db export` / `import`: every table of a store as a JSON Lines stream, either way.

Both backends use the same table and column names, so a dump is backend-neutral: a header
line, then one `{"table": ..., "row": {...}}` line per row, tables in foreign-key order.
Values are plain JSON (times as ISO 8601 text, `bytes` as `{"$b64": ...}`); the importer
converts each value to what the target column holds (SQLite: ISO text, JSON text, 0/1;
PostgreSQL: TIMESTAMPTZ, TEXT[], BOOLEAN). The search index is derived data: it is not
exported, and import rebuilds it. Import wants a migrated, empty target and runs in one
transaction, so a failed import leaves the target as it was.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.errors import StoreError
from bot.store import fts
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from bot.store.transfer_backends import Backend, PgBackend, SqliteBackend

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


def backend(store: SqliteStore | PostgresStore) -> Backend:
    """The table-level access to an opened store."""
    if isinstance(store, SqliteStore):
        return SqliteBackend(store)
    return PgBackend(store)


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


async def export(store: SqliteStore | PostgresStore, out: TextIO) -> dict[str, int]:
    """Write every row of the store to `out`; rows per table."""
    source = backend(store)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "backend": source.name}
    out.write(json.dumps(header) + "\n")
    counts: dict[str, int] = {}
    present = await source.tables()
    for table in TABLES:
        if table not in present:
            continue
        counts[table] = 0
        async for row in source.rows(table):
            line = {"table": table, "row": {k: _plain(v) for k, v in row.items()}}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            counts[table] += 1
    return counts


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


async def _batches(
    records: Iterable[tuple[str, dict[str, Any]]],
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Consecutive rows of one table, at most BATCH at a time."""
    table, batch = "", list[dict[str, Any]]()
    for name, row in records:
        if (name != table or len(batch) >= BATCH) and batch:
            yield table, batch
            batch = []
        table = name
        batch.append(row)
    if batch:
        yield table, batch


async def import_dump(store: SqliteStore | PostgresStore, lines: Iterable[str]) -> dict[str, int]:
    """Load a dump into an empty, migrated store and rebuild its search index; rows per table."""
    target = backend(store)
    present = await target.tables()
    counts: dict[str, int] = {}
    async with target.transaction():
        if not await target.is_empty():
            raise StoreError("the target database is not empty; import needs an empty one")
        async for table, batch in _batches(_read(lines)):
            if table not in present or table not in TABLES:
                raise StoreError(f"the target database has no table {table!r}")
            await target.insert(table, batch)
            counts[table] = counts.get(table, 0) + len(batch)
        await target.rebuild_index(fts.index_text)
        await target.after_import()
    return counts
