"""Fixtures for the store tests: a real SQLite file in pytest's tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.sqlite import SqliteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (its folder does not exist yet)."""
    return tmp_path / "data" / "news.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    """An opened store on a fresh database file, closed after the test."""
    sqlite_store = SqliteStore(str(db_path))
    await sqlite_store.open()
    try:
        yield sqlite_store
    finally:
        await sqlite_store.close()
