"""Alembic environment: always run programmatically on a connection the core hands over."""

from __future__ import annotations

from alembic import context

from portfolio.model import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a bare `alembic` command
    raise RuntimeError("Portfolio migrations run from portfolio.storage.migrate, not the CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
