"""The make-up plan for negative variances: how much to recover, and by when.

Year to date follows each client's own fiscal year (a client whose year starts in July
is judged on July to date), so the grouping is computed in SQL from the client's
``fiscal_year_start``. For every group whose year-to-date variance is unfavourable, the
shortfall is spread over the fiscal year's remaining months, to the cent, and set
against the make-up actions already planned for those months.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Director, Scope, lines_query
from portfolio.analytics.variance import READS as VARIANCE_READS
from portfolio.analytics.variance import measure, percent
from portfolio.model import BudgetLine, Campaign, Client, MakeupAction
from portfolio.money import spread
from portfolio.periods import add_months, fiscal_year_of, months_between

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"makeup_action"}) | DIMENSIONS_READS | VARIANCE_READS

OPEN_ACTION_STATUSES = ("planned", "in_progress")


@dataclass(frozen=True)
class RecoveryItem:
    client_id: int
    client: str
    campaign_id: int | None
    campaign: str | None
    director: str
    currency: str | None
    measure: str
    ytd_budget: int
    ytd_actual: int
    #: How much the unfavourable variance is, as a positive amount to recover.
    shortfall: int
    remaining_months: tuple[int, ...]
    #: ``shortfall`` spread over ``remaining_months``; empty when the year is over.
    per_month: tuple[int, ...]
    #: What open make-up actions aimed at the remaining months should recover.
    planned: int

    @property
    def shortfall_pct(self) -> Decimal | None:
        return percent(self.shortfall, self.ytd_budget)

    @property
    def uncovered(self) -> int:
        return max(0, self.shortfall - self.planned)

    @property
    def group(self) -> str:
        return f"{self.client} / {self.campaign}" if self.campaign else self.client


def fiscal_year_first_month(as_of: int) -> ColumnElement[int]:
    """SQL for the first month of each client's fiscal year containing ``as_of``."""
    year, month = divmod(as_of, 100)
    start = Client.fiscal_year_start
    return case(
        (literal(month) >= start, literal(year * 100) + start),
        else_=literal((year - 1) * 100) + start,
    )


def recovery_plan(
    session: Session,
    *,
    as_of: int,
    measure_name: str = "spend",
    level: str = "client",
    scope: Scope = Scope(),
) -> list[RecoveryItem]:
    """Every client (or campaign) with an unfavourable year-to-date variance."""
    m = measure(measure_name)
    by_campaign = level == "campaign"
    actual = func.sum(func.coalesce(m.actual, 0))
    budget = func.sum(m.budget)
    keys: list[ColumnElement] = [Client.id, Client.name, Client.fiscal_year_start, Director.name]
    if m.is_money:
        keys.append(Client.currency)
    if by_campaign:
        keys += [Campaign.id, Campaign.name]
    query = (
        lines_query([*keys, budget, actual], [])
        .join(Director, Director.id == Client.director_id)
        .where(BudgetLine.month.between(fiscal_year_first_month(as_of), as_of))
    )
    query = scope.apply(query).group_by(*keys)
    shortfall_sql = actual - budget if not m.higher_is_better else budget - actual
    query = query.having(shortfall_sql > 0).order_by(Client.name, *keys[-1:] if by_campaign else [])

    rows = session.connection().execute(query).all()
    planned = _planned_actions(session, m.name, by_campaign, as_of)
    items = []
    for row in rows:
        client_id, client, fiscal_start, director = row[:4]
        currency = row[4] if m.is_money else None
        campaign_id, campaign = (row[-4], row[-3]) if by_campaign else (None, None)
        ytd_budget, ytd_actual = row[-2], row[-1]
        shortfall = abs(ytd_actual - ytd_budget)
        year = fiscal_year_of(as_of, fiscal_start)
        remaining = tuple(months_between(add_months(as_of, 1), year.last))
        planned_amount = sum(
            amount
            for month, amount in planned.get((client_id, campaign_id), ())
            if month in remaining
        )
        items.append(
            RecoveryItem(
                client_id,
                client,
                campaign_id,
                campaign,
                director,
                currency,
                m.name,
                ytd_budget,
                ytd_actual,
                shortfall,
                remaining,
                tuple(spread(shortfall, len(remaining))),
                planned_amount,
            )
        )
    items.sort(key=lambda item: (-(item.shortfall_pct or Decimal(0)), item.group))
    return items


def _planned_actions(
    session: Session, measure_name: str, by_campaign: bool, as_of: int
) -> dict[tuple[int, int | None], list[tuple[int, int]]]:
    """Open make-up actions after ``as_of`` by (client, campaign or None): (month, amount)."""
    campaign_key = MakeupAction.campaign_id if by_campaign else literal(None)
    rows = (
        session.connection()
        .execute(
            select(
                MakeupAction.client_id, campaign_key, MakeupAction.target_month, MakeupAction.amount
            ).where(
                and_(
                    MakeupAction.measure == measure_name,
                    MakeupAction.status.in_(OPEN_ACTION_STATUSES),
                    MakeupAction.target_month > as_of,
                )
            )
        )
        .all()
    )
    planned: dict[tuple[int, int | None], list[tuple[int, int]]] = {}
    for client_id, campaign_id, month, amount in rows:
        planned.setdefault((client_id, campaign_id), []).append((month, amount))
    return planned
