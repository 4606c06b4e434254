"""Clients (accounts) and the people we deal with there."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, one_of, ordered
from portfolio.model.vocab import CLIENT_STATUS, PRICING_MODEL, VERTICAL


class Client(Versioned, Base):
    __tablename__ = "client"
    __table_args__ = (
        one_of("vertical", VERTICAL),
        one_of("status", CLIENT_STATUS),
        one_of("pricing_model", PRICING_MODEL),
        ordered("contract_start", "contract_end"),
        CheckConstraint("fiscal_year_start BETWEEN 1 AND 12", name="fiscal_year_start_month"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    vertical: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    director_id: Mapped[int] = mapped_column(
        ForeignKey("team_member.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    rep_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    renewal_date: Mapped[dt.date | None] = mapped_column(Date)
    pricing_model: Mapped[str] = mapped_column(String(16), nullable=False)
    #: How the firm is paid, in words ("4% of first-year premium, paid quarterly").
    compensation_terms: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(ForeignKey("currency.code"), nullable=False)
    #: Month (1-12) the client's fiscal year starts; 1 for a calendar year.
    fiscal_year_start: Mapped[int] = mapped_column(
        nullable=False, default=1, server_default=text("1")
    )
    notes: Mapped[str | None] = mapped_column(Text)


class Contact(Versioned, Base):
    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("client_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
