"""Alembic's entry point: runs the history on the connection `bot.store.migrate` hands over.

`newsbot db migrate` (or a store opened with AUTO_MIGRATE) opens the transaction, takes the
migration lock and passes its connection in `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

from bot.store.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
context.run_migrations()
