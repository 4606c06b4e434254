"""Monthly totals of the budget lines, per client: what the roll-ups read.

One row per client and month holds, for each measure, the sums of the budget, the
forecast and the actual (an empty actual counts as 0) over that client's budget lines
of that month, and how many lines there are. Nobody writes these rows but the database:
triggers on ``budget_line`` and ``campaign`` keep them exact in the same transaction as
every write (``portfolio.storage.totals`` holds the triggers, the rebuild and the
check). A row whose ``lines`` fell to 0 stands for no row.

Why client x month: the outlook needs the actual of closed months and the forecast of
open ones, and a month is closed or open as a whole, so these sums give every figure of
a period; and money is converted between currencies per client and month, so a
converted roll-up needs exactly this grain. 120,000 rows stand for a million lines.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base

#: The summed figures, each measure's budget, forecast and actual.
MEASURE_COLUMNS = tuple(
    f"{measure}_{kind}"
    for measure in ("spend", "revenue", "sales")
    for kind in ("budget", "forecast", "actual")
)
#: Per measure, how many lines have no actual entered (their actual counts as 0).
MISSING_COLUMNS = tuple(f"{measure}_actual_missing" for measure in ("spend", "revenue", "sales"))
#: Every kept column but ``lines`` and ``stamp``, in the order the triggers and the
#: rebuild write them.
TOTAL_COLUMNS = MEASURE_COLUMNS + MISSING_COLUMNS


def _sum() -> Mapped[int]:
    return mapped_column(BigInteger, nullable=False, default=0)


class MonthTotal(Base):
    __tablename__ = "month_total"
    __table_args__ = (
        Index("ix_month_total_client_id_month", "client_id", "month"),
        # Stored in key order: a period's rows lie together, read without a lookup.
        {"sqlite_with_rowid": False},
    )

    month: Mapped[int] = mapped_column(primary_key=True)
    #: No foreign key: these rows are derived, not data to capture, cascade or restore
    #: with a client (undo walks the foreign keys); a deleted client's rows fall to 0.
    client_id: Mapped[int] = mapped_column(primary_key=True)
    lines: Mapped[int] = mapped_column(nullable=False, default=0)
    spend_budget: Mapped[int] = _sum()
    spend_forecast: Mapped[int] = _sum()
    spend_actual: Mapped[int] = _sum()
    revenue_budget: Mapped[int] = _sum()
    revenue_forecast: Mapped[int] = _sum()
    revenue_actual: Mapped[int] = _sum()
    sales_budget: Mapped[int] = _sum()
    sales_forecast: Mapped[int] = _sum()
    sales_actual: Mapped[int] = _sum()
    #: Lines with no actual entered, per measure: a closed month's actual counts as 0
    #: there, which the figure pages say rather than show 0 as if reported (migration
    #: 0008). Their budget and forecast still count.
    spend_actual_missing: Mapped[int] = mapped_column(nullable=False, default=0)
    revenue_actual_missing: Mapped[int] = mapped_column(nullable=False, default=0)
    sales_actual_missing: Mapped[int] = mapped_column(nullable=False, default=0)
    #: Random, new at every write that moves the row (the triggers, the rebuild): equal
    #: stamps on every row mean unchanged lines since (``analytics.cube_snapshot``).
    stamp: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
