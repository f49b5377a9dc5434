"""Article storage: the `Store` protocol and its backends, chosen by `DATABASE_URL`."""

from __future__ import annotations

from bot.errors import ConfigError
from bot.store.base import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(database_url: str, *, auto_migrate: bool = False) -> Store:
    """Create (not yet opened) the store that `database_url` names.

    `auto_migrate`: let `open()` upgrade an older (or empty PostgreSQL) schema instead of
    refusing with "run `newsbot db migrate`". A new SQLite file is always created.
    """
    if database_url.startswith("sqlite:///"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(database_url.removeprefix("sqlite:///"), auto_migrate=auto_migrate)
    if database_url.startswith(POSTGRES_SCHEMES):
        from bot.store.postgres import PostgresStore

        return PostgresStore(database_url, auto_migrate=auto_migrate)
    raise ConfigError(
        f"DATABASE_URL: unsupported scheme in {database_url.split(':', 1)[0]!r}; "
        "use sqlite:///path/to/file.db or postgresql://user@host/dbname"
    )


__all__ = ["POSTGRES_SCHEMES", "Store", "open_store"]
