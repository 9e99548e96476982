"""Alembic environment: always handed a connection by storage.migrations, never an ini URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through storage.migrations (huifang db upgrade)")

# Batch mode lets SQLite, which cannot ALTER most things, take the same revisions as PostgreSQL.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
