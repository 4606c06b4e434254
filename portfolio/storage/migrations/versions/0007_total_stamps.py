"""Stamps on the monthly totals: a new random value at every write that moves a row.

Two reads of the stamps that agree row for row saw the same budget lines, so the
desktop app can keep the lines' cube on disk between starts and know when it is stale
(``portfolio.analytics.cube_snapshot``). The triggers are made again to write them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portfolio.storage import totals

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    columns = {column["name"] for column in sa.inspect(connection).get_columns("month_total")}
    if "stamp" in columns:
        return  # made by 0004 as it now reads, with today's triggers
    totals.drop_triggers(connection)
    op.add_column(
        "month_total", sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0")
    )
    sqlite = connection.dialect.name == "sqlite"
    stamp = totals.SQLITE_STAMP if sqlite else totals.PG_STAMP
    connection.exec_driver_sql(f"UPDATE month_total SET stamp = {stamp}")
    totals.create_triggers(connection)


def downgrade() -> None:
    # The column and the triggers that write it stay: the code of 0006 reads neither
    # and its writes fire these triggers, which keep the totals exact as before; the
    # triggers without stamps are no longer in the code to be made again. Upgrading
    # again finds the column and keeps it.
    pass
