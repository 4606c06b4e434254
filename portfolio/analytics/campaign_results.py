"""Campaign results over closed months: response rate, cost per response and sale, ROI."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Scope, lines_query
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.periods import Period

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"budget_line", "campaign", "client"}) | DIMENSIONS_READS


@dataclass(frozen=True)
class CampaignResult:
    campaign_id: int
    client: str
    campaign: str
    channel: str
    currency: str
    pieces: int
    responses: int
    sales: int
    revenue: int
    spend: int
    persistency_pct: Decimal | None
    persistency_months: int | None

    @property
    def response_rate(self) -> Decimal | None:
        """Responses per hundred pieces."""
        return _ratio(self.responses * 100, self.pieces, "0.01")

    @property
    def cost_per_response(self) -> int | None:
        """Spend per response, in minor units of the client's currency."""
        return _minor(self.spend, self.responses)

    @property
    def cost_per_sale(self) -> int | None:
        return _minor(self.spend, self.sales)

    @property
    def roi_pct(self) -> Decimal | None:
        """(revenue - spend) / spend, in percent."""
        return _ratio((self.revenue - self.spend) * 100, self.spend, "0.1")


def _ratio(numerator: int, denominator: int, places: str) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def _minor(amount: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(amount) / count).to_integral_value(rounding=ROUND_HALF_EVEN))


def campaign_results(
    session: Session, *, period: Period, as_of: int, scope: Scope = Scope()
) -> list[CampaignResult]:
    """One row per campaign with actuals in the closed part of ``period``."""
    closed_until = min(period.last, as_of)
    keys = (
        Campaign.id,
        Client.name,
        Campaign.name,
        Campaign.channel,
        Client.currency,
    )
    totals = (
        func.sum(func.coalesce(BudgetLine.pieces, 0)),
        func.sum(func.coalesce(BudgetLine.responses, 0)),
        func.sum(func.coalesce(BudgetLine.sales_actual, 0)),
        func.sum(func.coalesce(BudgetLine.revenue_actual, 0)),
        func.sum(func.coalesce(BudgetLine.spend_actual, 0)),
    )
    query = lines_query([*keys, *totals, Campaign.persistency_pct, Campaign.persistency_months], [])
    query = scope.apply(query.where(BudgetLine.month.between(period.first, closed_until)))
    query = query.group_by(Campaign.id, Client.id).order_by(Client.name, Campaign.name)
    return [CampaignResult(*row) for row in session.connection().execute(query)]
