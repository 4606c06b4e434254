"""Short lists for choosing a thing by name: people, clients, campaigns; and row titles.

Editors show names and store ids; these return (id, name) pairs ordered by name, and
``describe`` names one record the way a person refers to it (for undo and messages).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.editing import entity
from portfolio.model import BudgetLine, Campaign, Client, TeamMember
from portfolio.periods import month_key


def people(session: Session, role: str | None = None) -> list[tuple[int, str]]:
    """Active team members (with ``role``, if given), by name."""
    query = select(TeamMember.id, TeamMember.name).where(TeamMember.active.is_(True))
    if role:
        query = query.where(TeamMember.role == role)
    return [tuple(row) for row in session.execute(query.order_by(TeamMember.name))]


def clients(session: Session) -> list[tuple[int, str]]:
    return [
        tuple(row) for row in session.execute(select(Client.id, Client.name).order_by(Client.name))
    ]


def campaigns_of(session: Session, client_id: int) -> list[tuple[int, str]]:
    query = select(Campaign.id, Campaign.name).where(Campaign.client_id == client_id)
    return [tuple(row) for row in session.execute(query.order_by(Campaign.name))]


def describe(session: Session, entity_name: str, row_id: int) -> str:
    """A record as a person names it: "Acme", "Acme / Spring mailing / 2026-07", ..."""
    if entity_name == "budget_line":
        row = session.execute(
            select(Client.name, Campaign.name, BudgetLine.month)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(BudgetLine.id == row_id)
        ).first()
        return f"{row[0]} / {row[1]} / {month_key(row[2])}" if row else f"line {row_id}"
    if entity_name == "campaign":
        row = session.execute(
            select(Client.name, Campaign.name)
            .join(Client, Client.id == Campaign.client_id)
            .where(Campaign.id == row_id)
        ).first()
        return f"{row[0]} / {row[1]}" if row else f"campaign {row_id}"
    spec = entity(entity_name)
    record = session.get(spec.model, row_id)
    if record is None:
        return f"{spec.label.lower()} {row_id}"
    for name in ("name", "title", "subject", "description"):
        value = getattr(record, name, None)
        if value:
            return str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
    return f"{spec.label.lower()} {row_id}"
