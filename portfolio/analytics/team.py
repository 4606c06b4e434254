"""The team roll-up a manager reads: each director's book against their objective."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Scope
from portfolio.analytics.variance import READS as VARIANCE_READS
from portfolio.analytics.variance import percent, variance_rollups
from portfolio.fx import RateBook
from portfolio.model import Client, SalesObjective, TeamMember
from portfolio.periods import Period
from portfolio.settings import base_currency

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"sales_objective", "fx_rate"}) | DIMENSIONS_READS | VARIANCE_READS

Manager = aliased(TeamMember, name="manager")


@dataclass(frozen=True)
class DirectorRow:
    director_id: int
    director: str
    manager: str | None
    clients: int
    currency: str
    #: Revenue objective for the closed months of the period, and for all of it.
    objective_to_date: int
    objective: int
    #: Revenue achieved (actuals, closed months) and the period's revenue outlook.
    achieved: int
    outlook: int
    spend_budget: int
    spend_outlook: int

    @property
    def attainment_pct(self) -> Decimal | None:
        return percent(self.achieved, self.objective_to_date)

    @property
    def spend_variance(self) -> int:
        return self.spend_outlook - self.spend_budget


def team_rollup(
    session: Session, *, period: Period, as_of: int, currency: str | None = None
) -> list[DirectorRow]:
    """One row per account director, everything in one currency (default: base)."""
    target = currency or base_currency(session)
    directors = session.execute(
        select(TeamMember.id, TeamMember.name, Manager.name, func.count(Client.id))
        .outerjoin(Manager, Manager.id == TeamMember.manager_id)
        .outerjoin(Client, Client.director_id == TeamMember.id)
        .where(TeamMember.role == "account_director")
        .group_by(TeamMember.id, TeamMember.name, Manager.name)
        .order_by(TeamMember.name)
    ).all()
    revenue, spend = _by_director(session, period, as_of, target)
    objectives = _objectives(session, period, as_of, target)
    rows = []
    for director_id, name, manager, clients in directors:
        to_date, full = objectives.get(director_id, (0, 0))
        achieved, revenue_outlook, _ = revenue.get(director_id, (0, 0, 0))
        _, spend_outlook, spend_budget = spend.get(director_id, (0, 0, 0))
        rows.append(
            DirectorRow(
                director_id,
                name,
                manager,
                clients,
                target,
                to_date,
                full,
                achieved,
                revenue_outlook,
                spend_budget,
                spend_outlook,
            )
        )
    return rows


def _by_director(
    session: Session, period: Period, as_of: int, currency: str
) -> tuple[dict[int, tuple[int, int, int]], dict[int, tuple[int, int, int]]]:
    """Revenue and spend by director: (actual, outlook, budget) per director id."""
    rollups = variance_rollups(
        session,
        by=("director",),
        period=period,
        as_of=as_of,
        measure_names=("revenue", "spend"),
        currency=currency,
        scope=Scope(),
    )
    revenue, spend = (
        {row.key[0]: (row.actual, row.outlook, row.budget) for row in rollups[name].rows}
        for name in ("revenue", "spend")
    )
    return revenue, spend


def _objectives(
    session: Session, period: Period, as_of: int, currency: str
) -> dict[int, tuple[int, int]]:
    rows = session.execute(
        select(
            SalesObjective.director_id,
            SalesObjective.month,
            SalesObjective.currency,
            SalesObjective.revenue_objective,
        ).where(SalesObjective.month.between(period.first, period.last))
    ).all()
    rates = RateBook.load(session, currency)
    totals: dict[int, list[int]] = {}
    for director_id, month, objective_currency, amount in rows:
        value = rates.convert(amount, objective_currency, month)
        entry = totals.setdefault(director_id, [0, 0])
        entry[1] += value
        if month <= as_of:
            entry[0] += value
    return {key: (value[0], value[1]) for key, value in totals.items()}
