"""Alembic's environment for the server schema: always run by `sync.server.schema` on a
connection it holds (inside its transaction and lock), never from an `alembic.ini`."""

from __future__ import annotations

from alembic import context

from sync.server.tables import md

# render_as_batch: SQLite alters a column only by copying its table; Alembic's batch mode does that.
context.configure(connection=context.config.attributes["connection"], target_metadata=md, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
