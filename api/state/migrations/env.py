"""Alembic's entry point for newsrag's app database.

Migrations run through ``api.state.migrate`` (on start, or ``newsrag db upgrade``), which hands
over a connection already inside the transaction that holds the migration lock.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run newsrag's migrations with `newsrag db upgrade` (api.state.migrate)")

context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying the table
)
with context.begin_transaction():
    context.run_migrations()
