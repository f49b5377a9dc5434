"""The schema gate and `newsbot db migrate`: Alembic's history, run under a migration lock.

A store opens only on a schema at Alembic's head. Older schemas are upgraded by `newsbot db
migrate`, or by `open()` itself with AUTO_MIGRATE (a new SQLite file is always created);
a newer one (written by a later newsbot) is always refused. The whole upgrade is one
transaction that first takes a lock — SQLite's write lock (BEGIN IMMEDIATE), a PostgreSQL
advisory lock — and reads the revision again under it, so two instances starting at once
never run a step twice.

Databases from before Alembic carry their own version numbers (SQLite `PRAGMA user_version`,
PostgreSQL's `schema_version` table); `LEGACY` says which revision each equals, the database
is stamped with it and upgraded from there, keeping every row. Once Alembic owns a SQLite
database its old version number is set to `FENCE`, which an older newsbot refuses as newer.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.errors import SchemaError
from bot.store.engine import Runner

MIGRATION_LOCK = 7_242_001  # PostgreSQL advisory lock key shared by every instance
LEGACY: dict[str, dict[int, str]] = {
    "sqlite": {3: "0001", 4: "0002", 5: "0003"},
    "postgresql": {1: "0001", 2: "0002", 3: "0003"},
}
FENCE = 1000
# Alembic reports every step at INFO; `newsbot db migrate` prints the outcome in one line.
logging.getLogger("alembic").setLevel(logging.WARNING)


# The history is linear and each revision's id is its file's number ("0004_store_state.py"
# is "0004"), so the gate knows the head without importing Alembic (~11 MB); Alembic is
# loaded only to upgrade. tests/store/test_migrations.py checks this against Alembic's view.
_VERSIONS = Path(__file__).with_name("migrations") / "versions"
REVISIONS = frozenset(path.name.split("_", 1)[0] for path in _VERSIONS.glob("[0-9]*_*.py"))
HEAD: str = max(REVISIONS)


def _config() -> Any:
    """Alembic's configuration: the history in `bot/store/migrations`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_VERSIONS.parent))
    return config


@dataclass(frozen=True)
class Schema:
    """What a database holds: an Alembic revision, a pre-Alembic version, or nothing."""

    revision: str | None
    legacy: int | None
    blank: bool

    def __str__(self) -> str:
        if self.revision is not None:
            return f"schema revision {self.revision}"
        if self.legacy:
            return f"schema version {self.legacy} (from before revisions)"
        return "no schema" if self.blank else "tables but no schema version"


def inspect(connection: sa.Connection) -> Schema:
    """The schema of the database behind `connection`."""
    tables = set(sa.inspect(connection).get_table_names())
    revision = None
    if "alembic_version" in tables:
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        revision = None if found is None else str(found[0])
    legacy = None
    if revision is None and connection.dialect.name == "sqlite":
        legacy = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    elif revision is None and "schema_version" in tables:
        legacy = int(
            connection.exec_driver_sql("SELECT max(version) FROM schema_version").scalar() or 0
        )
    return Schema(revision, legacy or None, not tables)


def _refuse_unknown(schema: Schema, dialect: str, where: str) -> None:
    """SchemaError for a schema this newsbot cannot upgrade: newer, or too old to adopt."""
    known = LEGACY[dialect]
    newer = (schema.revision is not None and schema.revision not in REVISIONS) or (
        schema.revision is None and schema.legacy is not None and schema.legacy > max(known)
    )
    if newer:
        raise SchemaError(
            f"database {where} has {schema}, newer than this newsbot (revision {HEAD}); "
            "upgrade newsbot or use another DATABASE_URL"
        )
    if schema.revision is None and schema.legacy is not None and schema.legacy not in known:
        raise SchemaError(
            f"database {where} has {schema}, too old to upgrade: export it with the "
            "newsbot that wrote it (`newsbot db export`) and import it into a new database"
        )


def needs_upgrade(
    connection: sa.Connection, where: str, *, auto_migrate: bool, create_blank: bool
) -> bool:
    """The gate of `open()`: False when current; True when `upgrade` should run now;
    SchemaError when the schema is newer, unknown, or older and AUTO_MIGRATE is off."""
    schema = inspect(connection)
    if schema.revision == HEAD:
        return False
    _refuse_unknown(schema, connection.dialect.name, where)
    if (schema.blank and create_blank) or auto_migrate:
        return True
    raise SchemaError(
        f"database {where} has {schema}, this newsbot needs revision {HEAD}: "
        "run `newsbot db migrate` (or set AUTO_MIGRATE=true)"
    )


def upgrade(connection: sa.Connection, where: str) -> tuple[Schema, Schema]:
    """Bring the schema to HEAD in one locked transaction; the schema before and after."""
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        before = inspect(connection)  # again, under the lock
        _refuse_unknown(before, connection.dialect.name, where)
        from alembic import command

        config = _config()
        config.attributes["connection"] = connection
        if before.revision is None and before.legacy is not None:
            command.stamp(config, LEGACY[connection.dialect.name][before.legacy])
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA user_version = {FENCE}")
        elif before.legacy is not None:
            connection.exec_driver_sql(f"UPDATE schema_version SET version = {FENCE}")
        after = inspect(connection)
    return before, after


async def open_gate(runner: Runner, where: str, *, auto_migrate: bool, create_blank: bool) -> None:
    """Check the schema before a store opens, upgrading it when `needs_upgrade` says so."""
    check = functools.partial(
        needs_upgrade, where=where, auto_migrate=auto_migrate, create_blank=create_blank
    )
    if await runner.run(check, "read"):
        await runner.run(functools.partial(upgrade, where=where), "own")


async def migrate(runner: Runner, where: str) -> tuple[Schema, Schema]:
    """`newsbot db migrate`: upgrade to HEAD; the schema before and after."""
    return await runner.run(functools.partial(upgrade, where=where), "own")
