"""The budget grid of a client or a campaign: months across, measures down.

For each measure (spend, revenue, sales) the grid has budget, forecast and actual rows
(stored) and outlook and variance rows (worked out with the same definitions as every
roll-up: outlook is the actual for closed months, an empty actual counting as zero, and
the forecast for open ones; variance is outlook minus budget). A year column sums each
row; the outlook row's year total is the full-year outlook.

A campaign's grid is editable: one budget line per month. ``steps_for`` turns typed
cells into the steps of one action (``portfolio.actions``) - edits of existing lines,
based on the version and values the grid showed, and new lines for months the campaign
had none - so a pasted block becomes one action.
A client's grid sums its campaigns and is read only (a sum has no single line to edit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.actions.steps import Create, Edit, Step
from portfolio.analytics.variance import MEASURES
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.periods import Period, fiscal_year_of, month_label

MEASURE_ORDER = ("spend", "revenue", "sales")
STORED = ("budget", "forecast", "actual")
WORKED_OUT = ("outlook", "variance")
KINDS = STORED + WORKED_OUT
#: The grid's rows, top to bottom.
ROWS: tuple[tuple[str, str], ...] = tuple((m, k) for m in MEASURE_ORDER for k in KINDS)


@dataclass
class BudgetGrid:
    client_id: int
    campaign_id: int | None
    title: str
    currency: str
    year: Period
    as_of: int
    months: tuple[int, ...]
    #: (measure, stored kind) -> month -> value (minor units, or a count for sales).
    stored: dict[tuple[str, str], dict[int, int | None]]
    #: Campaign grids: month -> id of its budget line.
    line_ids: dict[int, int] = field(default_factory=dict)
    #: Campaign grids: month -> version of its budget line as read.
    line_versions: dict[int, int] = field(default_factory=dict)

    @property
    def editable(self) -> bool:
        return self.campaign_id is not None

    def is_money(self, measure: str) -> bool:
        return MEASURES[measure].is_money

    def closed(self, month: int) -> bool:
        return month <= self.as_of

    def value(self, measure: str, kind: str, month: int) -> int | None:
        if kind in STORED:
            return self.stored[(measure, kind)].get(month)
        has_line = any(month in self.stored[(measure, k)] for k in STORED)
        if not has_line:
            return None
        outlook = self._outlook(measure, month)
        if kind == "outlook":
            return outlook
        return outlook - (self.stored[(measure, "budget")].get(month) or 0)

    def _outlook(self, measure: str, month: int) -> int:
        if self.closed(month):
            return self.stored[(measure, "actual")].get(month) or 0
        return self.stored[(measure, "forecast")].get(month) or 0

    def total(self, measure: str, kind: str) -> int | None:
        values = [self.value(measure, kind, month) for month in self.months]
        present = [v for v in values if v is not None]
        return sum(present) if present else None

    def favourable(self, measure: str, variance: int) -> bool:
        return variance >= 0 if MEASURES[measure].higher_is_better else variance <= 0

    def cell_editable(self, measure: str, kind: str, month: int) -> bool:
        return self.editable and kind in STORED


def load_grid(
    session: Session,
    *,
    client_id: int,
    campaign_id: int | None = None,
    as_of: int,
    year_ending: int | None = None,
) -> BudgetGrid:
    """The grid for one campaign (editable) or a whole client (sums), for a fiscal year.

    ``year_ending`` picks the fiscal year by the calendar year it ends in; by default the
    fiscal year that holds ``as_of``.
    """
    client = session.get(Client, client_id)
    if client is None:
        raise LookupError(f"no client {client_id}")
    start = client.fiscal_year_start
    year = fiscal_year_of(as_of, start)
    if year_ending is not None:
        year = fiscal_year_of(year_ending * 100 + (start - 1 if start > 1 else 12), start)
    months = tuple(year.months())
    columns = [BudgetLine.month]
    for measure in MEASURE_ORDER:
        m = MEASURES[measure]
        columns += [m.budget, m.forecast, m.actual]
    title = client.name
    line_ids: dict[int, int] = {}
    line_versions: dict[int, int] = {}
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.client_id != client_id:
            raise LookupError(f"no campaign {campaign_id} for client {client_id}")
        title = f"{client.name} / {campaign.name}"
        query = (
            select(BudgetLine.id, BudgetLine.version, *columns)
            .where(BudgetLine.campaign_id == campaign_id)
            .where(BudgetLine.month.between(year.first, year.last))
        )
        rows = []
        for row in session.execute(query):
            rows.append((row[2:], row[0]))
            line_versions[row[2]] = row[1]
    else:
        sums = [columns[0]] + [func.sum(c) for c in columns[1:]]
        query = (
            select(*sums)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .where(Campaign.client_id == client_id)
            .where(BudgetLine.month.between(year.first, year.last))
            .group_by(BudgetLine.month)
        )
        rows = [(tuple(row), None) for row in session.execute(query)]
    stored: dict[tuple[str, str], dict[int, int | None]] = defaultdict(dict)
    for values, line_id in rows:
        month = values[0]
        if line_id is not None:
            line_ids[month] = line_id
        for number, measure in enumerate(MEASURE_ORDER):
            for offset, kind in enumerate(STORED):
                stored[(measure, kind)][month] = values[1 + number * 3 + offset]
    for measure in MEASURE_ORDER:
        for kind in STORED:
            stored.setdefault((measure, kind), {})
    return BudgetGrid(
        client_id,
        campaign_id,
        title,
        client.currency,
        year,
        as_of,
        months,
        dict(stored),
        line_ids,
        line_versions,
    )


def steps_for(grid: BudgetGrid, cells: list[tuple[str, str, int, Any]]) -> list[Step]:
    """Typed cells (measure, kind, month, text) as one step per month's budget line.

    An existing line is edited based on the version and values the grid showed (so a
    colleague's change to another cell of that month merges, and one to the same cell
    is a conflict); a month without a line gets a new one. Each step names its month
    for refusals. Cells that cannot be edited (outlook, variance, a client's sums) are
    refused here with a ``ValueError``; the values themselves are parsed and checked by
    the editing core when the action is done.
    """
    if not grid.editable:
        raise ValueError("a client's grid sums its campaigns; choose a campaign to edit")
    by_month: dict[int, dict[str, Any]] = defaultdict(dict)
    for measure, kind, month, value in cells:
        if kind not in STORED:
            raise ValueError(f"{kind} is worked out from the other rows and cannot be typed")
        if month not in grid.months:
            raise ValueError(f"{month} is outside the grid's year")
        by_month[month][f"{measure}_{kind}"] = value
    steps: list[Step] = []
    for month in sorted(by_month):
        values = by_month[month]
        where = month_label(month)
        line_id = grid.line_ids.get(month)
        if line_id is None:
            values = {"campaign_id": grid.campaign_id, "month": month, **values}
            steps.append(Create("budget_line", values, where=where))
            continue
        seen = {
            name: grid.stored[tuple(name.split("_", 1))].get(month)  # type: ignore[index]
            for name in values
        }
        steps.append(
            Edit(
                "budget_line",
                line_id,
                values,
                version=grid.line_versions.get(month),
                seen=seen,
                where=where,
            )
        )
    return steps
