"""Reference data the rest of the schema points at: currencies, rates, SLA policy, settings."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, one_of, valid_month
from portfolio.model.vocab import PRIORITY


class Currency(Base):
    """ISO 4217 codes; a client's currency must be one of them (a foreign key)."""

    __tablename__ = "currency"
    __table_args__ = (CheckConstraint("minor_units BETWEEN 0 AND 4", name="minor_units_range"),)

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    minor_units: Mapped[int] = mapped_column(nullable=False)


class FxRate(Versioned, Base):
    """One unit of ``currency`` is worth ``rate`` units of ``quote`` in ``month``.

    Users maintain these; roll-ups across currencies refuse to run for a month that has
    no rate instead of adding two currencies together.
    """

    __tablename__ = "fx_rate"
    __table_args__ = (
        UniqueConstraint("currency", "quote", "month"),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("currency <> quote", name="distinct_currencies"),
        valid_month("month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currency.code"), nullable=False)
    quote: Mapped[str] = mapped_column(ForeignKey("currency.code"), nullable=False)
    month: Mapped[int] = mapped_column(nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8), nullable=False)


class SlaPolicy(Versioned, Base):
    """Hours from a request's opening to its SLA due time, by priority."""

    __tablename__ = "sla_policy"
    __table_args__ = (
        one_of("priority", PRIORITY),
        CheckConstraint("hours_to_resolve > 0", name="hours_positive"),
    )

    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    hours_to_resolve: Mapped[int] = mapped_column(nullable=False)


class Setting(Base):
    """Portfolio-wide settings shared by everyone on the database (base currency, ...)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), nullable=False)
