"""Everything one client's deck shows, read from the database in one go.

Built on ``client_summary`` (so a figure on a slide reads the same as on the client page
and in ``portfolio summary``) plus the figures a review needs for its own period: the
period's totals, months, campaigns and service levels, and the appendix detail. Every
roll-up is SQL through the core's analytics; nothing here loops over budget lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portfolio.analytics.campaign_results import CampaignResult, campaign_results
from portfolio.analytics.dimensions import Scope
from portfolio.analytics.missing_actuals import MissingActuals, missing_actuals
from portfolio.analytics.service_levels import SlaRow, sla_compliance
from portfolio.analytics.summary import MEASURE_NAMES, ClientSummary, client_summary
from portfolio.analytics.variance import VarianceRow, variance_rollup
from portfolio.model import Client
from portfolio.periods import Period, add_months, fiscal_year, fiscal_year_of, month_start


@dataclass(frozen=True)
class MonthFigures:
    month: int
    budget: int
    forecast: int
    #: None for a month whose actuals are not in yet.
    actual: int | None
    outlook: int


@dataclass(frozen=True)
class CampaignVariance:
    campaign_id: int
    campaign: str
    spend: VarianceRow | None
    revenue: VarianceRow | None


@dataclass(frozen=True)
class DetailLine:
    """One campaign-month of the appendix: spend, revenue and sales figures."""

    campaign: str
    month: int
    spend: VarianceRow | None
    revenue: VarianceRow | None
    sales: VarianceRow | None


@dataclass
class DeckContent:
    summary: ClientSummary
    client_name: str
    director: str
    period: Period
    as_of: int
    today: dt.date
    #: The period's totals by measure (None when the client has no lines in it).
    totals: dict[str, VarianceRow | None]
    #: Every month of the period, by money measure, zeros where nothing is planned.
    monthly: dict[str, list[MonthFigures]]
    campaigns: list[CampaignVariance]
    results: list[CampaignResult]
    #: Sales by month: (label of this year, months, this year's, last year's actuals).
    sales_trend: tuple[str, str, list[int], list[int | None], list[int | None]]
    service_window: tuple[dt.date, dt.date]
    sla: SlaRow | None
    sla_by_category: list[SlaRow]
    details: list[DetailLine]
    #: Closed months of the period whose lines have no actual yet (counted as 0).
    missing: MissingActuals = field(default_factory=MissingActuals)
    #: ... of the period and of the client's (fiscal) year, whose year to date and
    #: outlook the summary and make-up slides show whatever the period.
    missing_shown: MissingActuals = field(default_factory=MissingActuals)

    @property
    def currency(self) -> str:
        return self.summary.currency


def period_days(period: Period, today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar days a period covers, cut off at ``today``."""
    first = month_start(period.first)
    last = month_start(add_months(period.last, 1)) - dt.timedelta(days=1)
    return first, min(last, today)


def gather(
    session: Session, client: Client, *, period: Period, as_of: int, today: dt.date
) -> DeckContent:
    """Read one client's deck content for ``period`` with actuals up to ``as_of``."""
    summary = client_summary(session, client, as_of=as_of, today=today)
    scope = Scope(client_ids=(client.id,))

    def rollup(by: tuple[str, ...], measure_name: str, over: Period) -> list[VarianceRow]:
        return variance_rollup(
            session, by=by, period=over, as_of=as_of, measure_name=measure_name, scope=scope
        ).rows

    totals = {m: next(iter(rollup(("client",), m, period)), None) for m in MEASURE_NAMES}
    monthly: dict[str, list[MonthFigures]] = {}
    for m in ("spend", "revenue"):
        by_month = {row.key[0]: row for row in rollup(("month",), m, period)}
        monthly[m] = []
        for month in period.months():
            row = by_month.get(month)
            budget, forecast, actual, outlook = (
                (row.budget, row.forecast, row.actual, row.outlook) if row else (0, 0, 0, 0)
            )
            monthly[m].append(
                MonthFigures(month, budget, forecast, actual if month <= as_of else None, outlook)
            )

    spend = {row.key[0]: row for row in rollup(("campaign",), "spend", period)}
    revenue = {row.key[0]: row for row in rollup(("campaign",), "revenue", period)}
    names = {row.key[0]: row.labels[1] for row in [*spend.values(), *revenue.values()]}
    campaigns = [
        CampaignVariance(key, names[key], spend.get(key), revenue.get(key)) for key in names
    ]

    detail_rows = {m: rollup(("campaign", "month"), m, period) for m in MEASURE_NAMES}
    detail_index = {
        m: {(row.key[0], row.labels[2]): row for row in rows} for m, rows in detail_rows.items()
    }
    detail_keys = sorted(
        {
            (row.labels[1], row.labels[2], row.key[0])
            for rows in detail_rows.values()
            for row in rows
        }
    )
    details = [
        DetailLine(
            name,
            month,
            detail_index["spend"].get((key, month)),
            detail_index["revenue"].get((key, month)),
            detail_index["sales"].get((key, month)),
        )
        for name, month, key in detail_keys
    ]

    this_year = fiscal_year_of(min(period.last, as_of), client.fiscal_year_start)
    last_year = fiscal_year(int(this_year.label.removeprefix("FY")) - 1, client.fiscal_year_start)
    sales = {
        row.key[0]: row.actual
        for row in rollup(("month",), "sales", Period(last_year.first, this_year.last, ""))
    }
    months = this_year.months()
    sales_trend = (
        this_year.label,
        last_year.label,
        months,
        [sales.get(m, 0) if m <= as_of else None for m in months],
        [sales.get(add_months(m, -12), 0) if add_months(m, -12) <= as_of else None for m in months],
    )

    missing = missing_actuals(session, period, as_of, scope)
    first_day, last_day = period_days(period, today)
    since = dt.datetime.combine(first_day, dt.time.min)
    now = dt.datetime.combine(last_day, dt.time.max)
    total = sla_compliance(session, since=since, now=now, scope=scope)
    by_category = sla_compliance(session, since=since, now=now, by="category", scope=scope)

    return DeckContent(
        summary=summary,
        client_name=client.name,
        director=summary.facts.get("Account director", ""),
        period=period,
        as_of=as_of,
        today=today,
        totals=totals,
        monthly=monthly,
        campaigns=campaigns,
        results=campaign_results(session, period=period, as_of=as_of, scope=scope),
        sales_trend=sales_trend,
        service_window=(first_day, last_day),
        sla=total[0] if total and total[0].due + total[0].open else None,
        sla_by_category=by_category,
        details=details,
        missing=missing,
        missing_shown=MissingActuals.union([missing, summary.missing]),
    )
