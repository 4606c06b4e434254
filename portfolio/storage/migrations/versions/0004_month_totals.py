"""Monthly totals per client, kept by triggers: what the roll-ups read.

Creates ``month_total``, the triggers that keep it exact on every write to a budget
line or a campaign (``portfolio.storage.totals``), and fills it from the lines.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portfolio.storage import totals

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MEASURE_COLUMNS = (
    "spend_budget",
    "spend_forecast",
    "spend_actual",
    "revenue_budget",
    "revenue_forecast",
    "revenue_actual",
    "sales_budget",
    "sales_forecast",
    "sales_actual",
)

MISSING_COLUMNS = ("spend_actual_missing", "revenue_actual_missing", "sales_actual_missing")


def upgrade() -> None:
    op.create_table(
        "month_total",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in MEASURE_COLUMNS],
        # Added by 0007 to files made before it; made here because the triggers and the
        # rebuild below are today's, which write it.
        sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0"),
        # Likewise added by 0008.
        *[
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for name in MISSING_COLUMNS
        ],
        sa.PrimaryKeyConstraint("month", "client_id", name=op.f("pk_month_total")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_month_total_client_id_month", "month_total", ["client_id", "month"])
    connection = op.get_bind()
    totals.create_triggers(connection)
    totals.rebuild(connection)


def downgrade() -> None:
    totals.drop_triggers(op.get_bind())
    op.drop_index("ix_month_total_client_id_month", table_name="month_total")
    op.drop_table("month_total")
