"""Deadlines and job tickets, with the materials that must arrive before them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, not_negative, one_of
from portfolio.model.vocab import MATERIAL_STATUS


class Deadline(Versioned, Base):
    """A dated milestone for a client or one of its campaigns; some are set by law."""

    __tablename__ = "deadline"
    __table_args__ = (
        ForeignKeyConstraint(
            ["campaign_id", "client_id"],
            ["campaign.id", "campaign.client_id"],
            ondelete="CASCADE",
            name="fk_deadline_campaign_of_client",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    legally_required: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class MaterialItem(Versioned, Base):
    """An item a deadline needs (envelopes, inserts, stickers): approved, ordered, received."""

    __tablename__ = "material_item"
    __table_args__ = (
        UniqueConstraint("deadline_id", "name"),
        one_of("status", MATERIAL_STATUS),
        *not_negative("quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadline.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: When the item reached its current status.
    status_on: Mapped[dt.date | None] = mapped_column(Date)
