"""Opportunities: cross-sell, up-sell and renewal deals in the pipeline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, not_negative, one_of
from portfolio.model.vocab import OPPORTUNITY_KIND, STAGE


class Opportunity(Versioned, Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        UniqueConstraint("client_id", "name"),
        one_of("kind", OPPORTUNITY_KIND),
        one_of("stage", STAGE),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        *not_negative("value"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Estimated value in minor units of the client's currency.
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)
    #: Chance of winning, in whole percent.
    probability: Mapped[int] = mapped_column(nullable=False)
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
