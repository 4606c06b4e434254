"""The handful of figures on the Overview page, for the whole book or part of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import Scope
from portfolio.analytics.missing_actuals import MissingActuals, missing_actuals
from portfolio.analytics.pipeline import READS as PIPELINE_READS
from portfolio.analytics.pipeline import weighted_pipeline
from portfolio.analytics.risk import READS as RISK_READS
from portfolio.analytics.risk import satisfaction_points
from portfolio.analytics.service_levels import READS as SERVICE_LEVELS_READS
from portfolio.analytics.service_levels import sla_compliance
from portfolio.analytics.variance import READS as VARIANCE_READS
from portfolio.analytics.variance import VarianceRow, measure, totals_of, variance_rollups
from portfolio.model import Client, Deadline, Feedback
from portfolio.periods import Period, month_of, parse_period
from portfolio.settings import base_currency

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = (
    frozenset({"deadline", "feedback"})
    | PIPELINE_READS
    | RISK_READS
    | SERVICE_LEVELS_READS
    | VARIANCE_READS
)


@dataclass(frozen=True)
class Kpis:
    currency: str
    #: Spend, year to date, and the full year's outlook against its budget.
    spend_ytd: VarianceRow | None
    spend_year: VarianceRow | None
    revenue_ytd: VarianceRow | None
    sla_compliance_pct: Decimal | None
    #: Mean satisfaction over the last 90 days on a 0-100 scale (CSAT and NPS together).
    satisfaction: Decimal | None
    weighted_pipeline: int
    deadlines_next_14_days: int
    legal_deadlines_next_14_days: int
    #: Closed months of the year to date whose lines have no actual yet (counted as 0).
    missing: MissingActuals = MissingActuals()


def overview(session: Session, *, today: dt.date, as_of: int, scope: Scope = Scope()) -> Kpis:
    currency = base_currency(session)
    year, ytd = parse_period("fy", as_of), parse_period("ytd", as_of)
    # One roll-up by month of the year for both measures; the year to date adds up its
    # months (each client-month converted once, as a roll-up of the year to date would).
    by_month = variance_rollups(
        session,
        by=("month",),
        period=year,
        as_of=as_of,
        measure_names=("spend", "revenue"),
        scope=scope,
        currency=currency,
    )

    def total(period: Period, measure_name: str) -> VarianceRow | None:
        rows = [
            row for row in by_month[measure_name].rows if period.first <= row.key[0] <= period.last
        ]
        found = totals_of(rows, measure(measure_name))
        return found[0] if found else None

    now = dt.datetime.combine(today, dt.time.max)
    sla = sla_compliance(session, since=now - dt.timedelta(days=90), now=now, scope=scope)
    points = satisfaction_points(Feedback.kind, Feedback.score)
    satisfaction_query = (
        select(func.sum(points), func.count())
        .join(Client, Client.id == Feedback.client_id)
        .where(Feedback.received_on.between(today - dt.timedelta(days=90), today))
    )
    total_points, readings = session.execute(scope.apply(satisfaction_query)).one()
    deadline_query = (
        select(func.count(), func.sum(case((Deadline.legally_required, 1), else_=0)))
        .join(Client, Client.id == Deadline.client_id)
        .where(
            and_(
                Deadline.due_date.between(today, today + dt.timedelta(days=14)),
                Deadline.completed_on.is_(None),
            )
        )
    )
    due, legal = session.execute(scope.apply(deadline_query)).one()
    pipeline = weighted_pipeline(session, month=month_of(today), scope=scope, currency=currency)
    return Kpis(
        currency=currency,
        spend_ytd=total(ytd, "spend"),
        spend_year=total(year, "spend"),
        revenue_ytd=total(ytd, "revenue"),
        sla_compliance_pct=sla[0].compliance_pct if sla else None,
        satisfaction=(Decimal(total_points) / readings).quantize(Decimal("0.1"))
        if readings
        else None,
        weighted_pipeline=sum(row.weighted for row in pipeline),
        deadlines_next_14_days=due or 0,
        legal_deadlines_next_14_days=int(legal or 0),
        missing=missing_actuals(session, ytd, as_of, scope),
    )
