"""Campaigns, their drops, their monthly budget lines and the plans to make up variances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import (
    Base,
    Versioned,
    money_column,
    not_negative,
    one_of,
    ordered,
    valid_month,
)
from portfolio.model.vocab import ACTION_STATUS, ACTION_TYPE, CAMPAIGN_STATUS, CHANNEL, MEASURE


class Campaign(Versioned, Base):
    __tablename__ = "campaign"
    __table_args__ = (
        UniqueConstraint("client_id", "name"),
        # Lets rows that name both a client and one of its campaigns prove they match.
        UniqueConstraint("id", "client_id"),
        one_of("channel", CHANNEL),
        one_of("status", CAMPAIGN_STATUS),
        ordered("start_date", "end_date"),
        CheckConstraint(
            "persistency_pct IS NULL OR persistency_pct BETWEEN 0 AND 100",
            name="persistency_pct_range",
        ),
        CheckConstraint(
            "persistency_months IS NULL OR persistency_months > 0", name="persistency_months_pos"
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    product: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Share of the campaign's sales still in force ``persistency_months`` after sale.
    persistency_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    persistency_months: Mapped[int | None] = mapped_column()
    post_mortem: Mapped[str | None] = mapped_column(Text)


class CampaignDrop(Versioned, Base):
    """A date the campaign's pieces go out (mail drop, email send, call window start)."""

    __tablename__ = "campaign_drop"
    __table_args__ = (UniqueConstraint("campaign_id", "drop_date"), *not_negative("pieces"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False
    )
    drop_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    pieces: Mapped[int | None] = mapped_column()


class BudgetLine(Versioned, Base):
    """One campaign, one month: budget, forecast and actual for spend and results.

    Money is in minor units of the client's currency. ``*_actual`` is empty until the
    month's actuals are in; forecasts start equal to the budget and are re-forecast.
    """

    __tablename__ = "budget_line"
    __table_args__ = (
        UniqueConstraint("campaign_id", "month"),
        valid_month("month"),
        *not_negative(
            "spend_budget",
            "spend_forecast",
            "spend_actual",
            "revenue_budget",
            "revenue_forecast",
            "revenue_actual",
            "sales_budget",
            "sales_forecast",
            "sales_actual",
            "pieces",
            "responses",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False
    )
    month: Mapped[int] = mapped_column(nullable=False)
    spend_budget: Mapped[int] = money_column()
    spend_forecast: Mapped[int] = money_column()
    spend_actual: Mapped[int | None] = money_column(nullable=True)
    revenue_budget: Mapped[int] = money_column()
    revenue_forecast: Mapped[int] = money_column()
    revenue_actual: Mapped[int | None] = money_column(nullable=True)
    sales_budget: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    sales_forecast: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    sales_actual: Mapped[int | None] = mapped_column()
    #: Pieces delivered (mailed, sent, dialled) and responses received, as actuals.
    pieces: Mapped[int | None] = mapped_column()
    responses: Mapped[int | None] = mapped_column()


class MakeupAction(Versioned, Base):
    """An action to recover a negative variance: who, by when, and how much."""

    __tablename__ = "makeup_action"
    __table_args__ = (
        ForeignKeyConstraint(
            ["campaign_id", "client_id"],
            ["campaign.id", "campaign.client_id"],
            ondelete="CASCADE",
            name="fk_makeup_action_campaign_of_client",
        ),
        one_of("measure", MEASURE),
        one_of("action_type", ACTION_TYPE),
        one_of("status", ACTION_STATUS),
        valid_month("target_month"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    measure: Mapped[str] = mapped_column(String(16), nullable=False)
    action_type: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    target_month: Mapped[int] = mapped_column(nullable=False)
    #: What the action should recover, in the client's currency (or a count for sales).
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
