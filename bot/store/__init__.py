"""Article storage: the `Store` protocol and its one implementation, chosen by `DATABASE_URL`."""

from __future__ import annotations

from bot.store.base import Store
from bot.store.engine import POSTGRES_SCHEMES, check_url


def open_store(database_url: str, *, auto_migrate: bool = False) -> Store:
    """Create (not yet opened) the store that `database_url` names.

    `auto_migrate`: let `open()` upgrade an older (or empty PostgreSQL) schema instead of
    refusing with "run `newsbot db migrate`". A new SQLite file is always created.
    """
    from bot.store.sqlstore import SqlStore

    check_url(database_url)  # ConfigError for an unsupported scheme
    return SqlStore(database_url, auto_migrate=auto_migrate)


__all__ = ["POSTGRES_SCHEMES", "Store", "open_store"]
