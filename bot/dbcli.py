"""`newsbot db ...`: schema migrations and moving all data between backends.

    newsbot db migrate            bring DATABASE_URL's schema up to date
    newsbot db status             print the backend and its schema version
    newsbot db export [FILE]      every row as JSON Lines (stdout when FILE is - or absent)
    newsbot db import FILE        load such a dump into an empty, migrated database
    newsbot db readings           store the reading of every article that has none

`--database-url` overrides the setting, so moving SQLite to PostgreSQL is two commands:
`newsbot db export dump.jsonl` then
`newsbot db --database-url postgresql://... import dump.jsonl` (after `db migrate` there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.store.engine import check_url
from bot.store.migrate import HEAD

if TYPE_CHECKING:
    from bot.store.sqlstore import SqlStore


def _backend(url: str) -> SqlStore:
    """The store for a DATABASE_URL, not opened (ConfigError for an unknown scheme)."""
    from bot.store.sqlstore import SqlStore

    check_url(url)
    return SqlStore(url)


@asynccontextmanager
async def _opened(url: str) -> AsyncIterator[SqlStore]:
    """An opened store whose schema is current (else SchemaError: run `db migrate`)."""
    store = _backend(url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _migrate(url: str) -> str:
    """Migrate and describe what happened."""
    before, after = await _backend(url).migrate()
    if before == after:
        return f"{after} is up to date"
    return f"migrated from {before} to {after}"


async def _export(url: str, target: str) -> str:
    """Write the dump to `target` ("-": stdout); a summary line."""
    from bot.store.transfer import export

    async with _opened(url) as store:
        if target == "-":
            counts = await export(store, sys.stdout)
        else:
            with Path(target).open("w", encoding="utf-8") as out:  # noqa: ASYNC230
                counts = await export(store, out)
    return "exported " + ", ".join(f"{n} {table}" for table, n in counts.items() if n)


async def _import(url: str, source: str) -> str:
    """Load the dump at `source` ("-": stdin); a summary line."""
    from bot.store.transfer import import_dump

    async with _opened(url) as store:
        if source == "-":
            counts = await import_dump(store, sys.stdin)
        else:
            with Path(source).open(encoding="utf-8") as lines:  # noqa: ASYNC230
                counts = await import_dump(store, lines)
    return "imported " + (", ".join(f"{n} {table}" for table, n in counts.items()) or "nothing")


READINGS_BATCH = 500  # articles read and written at a time: memory stays bounded


async def _readings(url: str, workers: int) -> str:
    """Store each article's reading (`bot.summarize.reading`) where it has none or one of an
    older version that no longer holds (stored before revision 0005, imported from such a
    store, or read before a change to how articles are read): topic summaries then decode it
    instead of reading the text again. An older reading that still holds (`decode_reading`
    takes it) is left as it is. Newest articles first, a batch at a time, split and stemmed
    on `workers` processes (0: here)."""
    from bot.summarize.reading import READING_PREFIX, decode_reading, reading_of

    done = kept = 0
    below = None
    pool = ProcessPoolExecutor(workers) if workers > 0 else None
    loop = asyncio.get_running_loop()
    try:
        async with _opened(url) as store:
            while batch := await store.unread_articles(READING_PREFIX, READINGS_BATCH, below):
                below = batch[-1].id
                stale = [
                    article
                    for article in batch
                    if not article.reading
                    or decode_reading(article.reading, article.title, article.text) is None
                ]
                kept += len(batch) - len(stale)
                if pool is None:
                    readings = [reading_of(article) for article in stale]
                else:
                    mapped = pool.map(reading_of, stale, chunksize=25)
                    readings = await loop.run_in_executor(None, list, mapped)
                await store.save_readings(list(zip(stale, readings, strict=True)))
                before, done = done, done + len(stale)
                if done // (READINGS_BATCH * 20) > before // (READINGS_BATCH * 20):
                    print(f"read {done} articles (down to id {below})", file=sys.stderr)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    still = f"; {kept} older readings still hold" if kept else ""
    if done:
        return f"stored the readings of {done} articles{still}"
    return f"every article has its reading{still}"


async def _status(url: str) -> str:
    """The backend and whether its schema is current."""
    async with _opened(url) as store:
        articles = await store.count_articles()
        return f"{store.dialect.name} {store.where}: schema revision {HEAD}, {articles} articles"


def run_db(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch `newsbot db <action>`."""
    url = args.database_url or settings.database_url
    action = args.db_action
    if action == "migrate":
        message = asyncio.run(_migrate(url))
    elif action == "export":
        message = asyncio.run(_export(url, args.file))
    elif action == "import":
        message = asyncio.run(_import(url, args.file))
    elif action == "readings":
        message = asyncio.run(_readings(url, args.workers))
    else:
        message = asyncio.run(_status(url))
    print(message, file=sys.stderr)
    return 0


def register(commands: Any) -> None:
    """Add the `db` subcommand to the `newsbot` parser's subcommands."""
    db = commands.add_parser("db", help="schema migrations, export and import")
    db.add_argument("--database-url", default=None, help="instead of the DATABASE_URL setting")
    actions = db.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    actions.add_parser("migrate", help="create or upgrade the schema")
    actions.add_parser("status", help="check the schema and count the articles")
    export = actions.add_parser("export", help="write every row as JSON Lines")
    export.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    load = actions.add_parser("import", help="load an export into an empty database")
    load.add_argument("file", help="an export file, or - for stdin")
    read = actions.add_parser(
        "readings", help="store the reading of articles stored before revision 0005"
    )
    read.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes (0: none)"
    )
    db.set_defaults(handler=run_db)
