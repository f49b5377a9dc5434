"""PostgreSQL for tests: the server from TEST_POSTGRES_URL, one throw-away schema per test.

Each test gets `CREATE SCHEMA test_<random>` and a URL whose `options` put that schema first
on the search path, so tests running in parallel (or two bot processes in one test) share a
server without seeing each other's tables; the schema is dropped afterwards. When the server
is unreachable the test is skipped, except in CI (`CI=true`), where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import cache
from urllib.parse import quote

import psycopg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    """The PostgreSQL server the tests use."""
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)


@cache
def _unreachable() -> str | None:
    """Why the server cannot be reached, or None when it can."""
    try:
        with psycopg.connect(server_url(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def require_postgres() -> None:
    """Skip the test when PostgreSQL is unreachable; in CI, fail instead."""
    reason = _unreachable()
    if reason is None:
        return
    message = f"PostgreSQL at {server_url()} unreachable: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
    pytest.skip(message)


def schema_url(schema: str) -> str:
    """The server URL with `schema` first on the search path."""
    separator = "&" if "?" in server_url() else "?"
    return f"{server_url()}{separator}options={quote(f'-c search_path={schema}', safe='')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh, empty schema of the test server, dropped after the test."""
    require_postgres()
    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema_url(schema)
    finally:
        with psycopg.connect(server_url(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
