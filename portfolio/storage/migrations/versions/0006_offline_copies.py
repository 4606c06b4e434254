"""Offline copies: where a laptop copy came from, what it has not synced yet; and the
journal columns that let an offline change reach the server with its real time.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A name for this portfolio, unique in the world: a copy checked out of it syncs
    # only with it, never with another portfolio that happens to share ids.
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(setting, [{"key": "portfolio_id", "value": str(uuid.uuid4())}])
    op.add_column("journal_entry", sa.Column("origin", sa.String(length=100), nullable=True))
    op.add_column("journal_entry", sa.Column("synced_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_journal_entry_origin"), "journal_entry", ["origin"], unique=False)
    op.create_table(
        "offline_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.String(length=36), nullable=False),
        sa.Column("server", sa.String(length=500), nullable=False),
        sa.Column("server_identity", sa.String(length=36), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(), nullable=False),
        sa.Column("owner_login", sa.String(length=128), nullable=False),
        sa.Column("owner_member_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("server_position", sa.Integer(), nullable=False),
        sa.Column("scanned_position", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.String(length=36), nullable=True),
        sa.Column("attempt_through", sa.Integer(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_offline_copy_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_copy")),
    )
    op.create_table(
        "offline_pending",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("first_entry_id", sa.Integer(), nullable=False),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("held_because", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('created', 'updated', 'deleted')",
            name=op.f("ck_offline_pending_state_valid"),
        ),
        sa.PrimaryKeyConstraint("entity", "row_id", name=op.f("pk_offline_pending")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key = 'portfolio_id'")
    op.drop_table("offline_pending")
    op.drop_table("offline_copy")
    op.drop_index(op.f("ix_journal_entry_origin"), table_name="journal_entry")
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding
    # journal_entry would drop the table journal_change refers to.
    op.execute("ALTER TABLE journal_entry DROP COLUMN synced_at")
    op.execute("ALTER TABLE journal_entry DROP COLUMN origin")
