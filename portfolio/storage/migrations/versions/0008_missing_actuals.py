"""Counts of missing actuals on the monthly totals: per measure, the lines with none.

A closed month's empty actual counts as 0 in every figure; with these counts the figure
pages can say so ("No spend actual entered yet for Nov 2026 on 26,120 of 26,120 budget
lines") instead of showing a month whose actuals have not come in as a real under- or
overspend. The triggers are made again to keep them; the counts are filled from the
lines.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portfolio.storage import totals

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MISSING_COLUMNS = ("spend_actual_missing", "revenue_actual_missing", "sales_actual_missing")


def upgrade() -> None:
    connection = op.get_bind()
    columns = {column["name"] for column in sa.inspect(connection).get_columns("month_total")}
    if set(MISSING_COLUMNS) <= columns:
        return  # made by 0004 as it now reads, with today's triggers
    totals.drop_triggers(connection)
    for name in MISSING_COLUMNS:
        op.add_column(
            "month_total", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )
    # Filled from the lines in one grouped statement, stamps untouched: the lines did not
    # change, so the lines' cube kept on disk (``cube_snapshot``) stays valid.
    totals.count_missing_actuals(connection)
    totals.create_triggers(connection)


def downgrade() -> None:
    # The triggers of 0007 are no longer in the code to be made again; today's keep the
    # columns 0007's code never reads, and its writes keep them exact. Upgrading again
    # finds the columns and keeps them.
    pass
