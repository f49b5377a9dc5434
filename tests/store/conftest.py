"""Fixtures for the store tests: every `store` test runs on SQLite and on PostgreSQL.

SQLite is a real file in pytest's tmp_path; PostgreSQL a fresh schema on the test server
(`tests.pg`: TEST_POSTGRES_URL, skipped when unreachable unless CI=true).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store, open_store
from tests.pg import pg_url

__all__ = ["pg_url"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (its folder does not exist yet)."""
    return tmp_path / "data" / "news.db"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, db_path: Path) -> str:
    """A DATABASE_URL for each backend: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """An opened store on a fresh database of each backend, closed after the test."""
    opened = open_store(store_url, auto_migrate=True)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def sqlite_store(db_path: Path) -> AsyncIterator[Store]:
    """An opened SQLite store, for tests of SQLite specifics (files, pragmas)."""
    opened = open_store(f"sqlite:///{db_path}")
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
