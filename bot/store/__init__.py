"""Article storage: the `Store` protocol and its backends, chosen by `DATABASE_URL`."""

from __future__ import annotations

from bot.errors import ConfigError
from bot.store.base import Store


def open_store(database_url: str) -> Store:
    """Create (not yet opened) the store that `database_url` names."""
    if database_url.startswith("sqlite:///"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(database_url.removeprefix("sqlite:///"))
    raise ConfigError(
        f"DATABASE_URL: unsupported scheme in {database_url.split(':', 1)[0]!r}; "
        "use sqlite:///path/to/file.db"
    )


__all__ = ["Store", "open_store"]
