"""The people who own the book: managers, account directors and their reps."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, money_column, not_negative, one_of, valid_month
from portfolio.model.vocab import ACCESS, ROLE


class TeamMember(Versioned, Base):
    __tablename__ = "team_member"
    __table_args__ = (one_of("role", ROLE), one_of("access", ACCESS))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    #: The person this one reports to (a rep to a director, a director to a manager).
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    #: The login this person works under: their operating-system account on a laptop
    #: portfolio, their PostgreSQL role on a team server (``portfolio.identity``).
    login: Mapped[str | None] = mapped_column(String(128), index=True, unique=True)
    #: What that login may do on a team server (``vocab.ACCESS``): the server's grants
    #: and row-level security follow it (``portfolio.access``). None: nothing there.
    access: Mapped[str | None] = mapped_column(String(16))


class SalesObjective(Versioned, Base):
    """A director's monthly revenue objective, in the portfolio's base currency."""

    __tablename__ = "sales_objective"
    __table_args__ = (
        UniqueConstraint("director_id", "month"),
        valid_month("month"),
        *not_negative("revenue_objective"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    director_id: Mapped[int] = mapped_column(
        ForeignKey("team_member.id", ondelete="CASCADE"), nullable=False
    )
    month: Mapped[int] = mapped_column(nullable=False)
    currency: Mapped[str] = mapped_column(ForeignKey("currency.code"), nullable=False)
    revenue_objective: Mapped[int] = money_column()
