"""The service side of an account: requests with SLAs, and satisfaction feedback."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base, Versioned, one_of, ordered
from portfolio.model.vocab import (
    DONE_REQUEST_STATUSES,
    FEEDBACK_KIND,
    PRIORITY,
    REQUEST_CATEGORY,
    REQUEST_STATUS,
)

_DONE = ", ".join(f"'{status}'" for status in DONE_REQUEST_STATUSES)


class ClientRequest(Versioned, Base):
    """A billing, technical, renewal, retention or service question from a client.

    Times are UTC. ``sla_due_at`` is derived by the core from the priority's SLA policy
    when the request is opened or re-prioritised; it is stored so that compliance is a
    plain comparison in SQL and a policy change does not rewrite history.
    """

    __tablename__ = "client_request"
    __table_args__ = (
        one_of("category", REQUEST_CATEGORY),
        one_of("priority", PRIORITY),
        one_of("status", REQUEST_STATUS),
        ordered("opened_at", "resolved_at"),
        ordered("opened_at", "sla_due_at"),
        CheckConstraint("escalation_level BETWEEN 0 AND 3", name="escalation_level_range"),
        CheckConstraint(
            f"(status IN ({_DONE})) = (resolved_at IS NOT NULL)", name="resolved_when_done"
        ),
        CheckConstraint("length(trim(subject)) > 0", name="subject_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    sla_due_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    escalation_level: Mapped[int] = mapped_column(
        nullable=False, default=0, server_default=text("0")
    )


class Feedback(Versioned, Base):
    """A satisfaction reading: CSAT 1-5 or NPS 0-10, with what the client said."""

    __tablename__ = "feedback"
    __table_args__ = (
        one_of("kind", FEEDBACK_KIND),
        CheckConstraint(
            "(kind = 'csat' AND score BETWEEN 1 AND 5)"
            " OR (kind = 'nps' AND score BETWEEN 0 AND 10)",
            name="score_in_scale",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    received_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    score: Mapped[int] = mapped_column(nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
