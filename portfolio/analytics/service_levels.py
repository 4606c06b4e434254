"""Service levels: SLA compliance of client requests, escalations, requests by category.

A request counts towards compliance once its SLA due time has passed (or it was
resolved): it *met* the SLA if resolved by the due time, and *breached* it if resolved
later or still open past it. Requests still inside their SLA window are not counted yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Director, Scope
from portfolio.analytics.variance import percent
from portfolio.model import Client, ClientRequest
from portfolio.model.vocab import REQUEST_CATEGORY

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"client_request"}) | DIMENSIONS_READS

GROUPINGS = ("client", "director", "category", "total")


@dataclass(frozen=True)
class SlaRow:
    group: str
    key: object
    due: int
    met: int
    breached: int
    open_overdue: int
    escalated: int
    open: int

    @property
    def compliance_pct(self) -> Decimal | None:
        return percent(self.met, self.due)


def sla_compliance(
    session: Session,
    *,
    since: dt.datetime,
    now: dt.datetime,
    by: str = "total",
    scope: Scope = Scope(),
) -> list[SlaRow]:
    """SLA compliance of requests whose SLA fell due (or that were resolved) since ``since``."""
    resolved = ClientRequest.resolved_at.is_not(None)
    counted = or_(ClientRequest.sla_due_at <= now, resolved)
    met = and_(resolved, ClientRequest.resolved_at <= ClientRequest.sla_due_at)
    overdue = and_(ClientRequest.resolved_at.is_(None), ClientRequest.sla_due_at < now)
    group_columns: list[ColumnElement]
    if by == "client":
        group_columns = [Client.id, Client.name]
    elif by == "director":
        group_columns = [Director.id, Director.name]
    elif by == "category":
        group_columns = [ClientRequest.category, ClientRequest.category]
    else:
        group_columns = []

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            *group_columns,
            count_if(counted),
            count_if(and_(counted, met)),
            count_if(overdue),
            count_if(ClientRequest.escalation_level > 0),
            count_if(ClientRequest.resolved_at.is_(None)),
        )
        .join(Client, Client.id == ClientRequest.client_id)
        .join(Director, Director.id == Client.director_id)
        .where(or_(ClientRequest.sla_due_at >= since, ClientRequest.resolved_at >= since))
        .where(ClientRequest.opened_at <= now)
    )
    query = scope.apply(query)
    if group_columns:
        query = query.group_by(*group_columns).order_by(group_columns[1])
    rows = []
    for row in session.execute(query):
        if group_columns:
            key, name, *counts = row
            label = REQUEST_CATEGORY.label(name) if by == "category" else name
        else:
            key, label, counts = None, "All requests", list(row)
        due, met_count, open_overdue, escalated, still_open = (value or 0 for value in counts)
        rows.append(
            SlaRow(label, key, due, met_count, due - met_count, open_overdue, escalated, still_open)
        )
    return rows
