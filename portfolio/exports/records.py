"""The record sheets of a workbook: one row per budget line, client, campaign, request,
opportunity and deadline, each an Excel table.

Every sheet is one SQL query whose result columns are already in the sheet's order and
form (labels instead of stored codes, names instead of ids), streamed from the database
in batches straight into the sheet: a million budget lines never exist as a million
Python objects. The headers are the field labels of ``portfolio.editing`` so that the
importer reads these sheets back without being told anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from portfolio.analytics.dimensions import Director
from portfolio.exports.cells import Column
from portfolio.exports.request import WorkbookRequest
from portfolio.model import (
    BudgetLine,
    Campaign,
    Client,
    ClientRequest,
    Deadline,
    MaterialItem,
    Opportunity,
    TeamMember,
)
from portfolio.model.vocab import (
    CAMPAIGN_STATUS,
    CHANNEL,
    CLIENT_STATUS,
    MATERIAL_STATUS,
    OPPORTUNITY_KIND,
    PRICING_MODEL,
    PRIORITY,
    REQUEST_CATEGORY,
    REQUEST_STATUS,
    STAGE,
    VERTICAL,
    Vocabulary,
)
from portfolio.periods import add_months, month_start

#: Header of the version counter column; the importer uses it to detect conflicts.
VERSION_HEADER = "Row version"
#: Rows fetched from the database per round trip while streaming a sheet.
BATCH = 5000

Rep = aliased(TeamMember, name="rep")
Owner = aliased(TeamMember, name="owner")


def labelled(column: ColumnElement[str], vocabulary: Vocabulary) -> ColumnElement[str]:
    """The label people read for a stored code, worked out in SQL."""
    return case(dict(vocabulary.choices), value=column, else_=column)


@dataclass(frozen=True)
class RecordSheet:
    title: str
    #: Excel table name: unique in the workbook, letters and underscores only.
    table: str
    columns: tuple[Column, ...]
    query: Callable[[WorkbookRequest], Select]
    #: Top-left cell of the scrolling area: rows above and columns left of it stay put.
    freeze: str = "B2"

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def stream(session: Session, query: Select) -> Iterator[tuple]:
    """Rows of ``query`` in batches (a server-side cursor on PostgreSQL)."""
    result = session.connection().execution_options(yield_per=BATCH).execute(query)
    for partition in result.partitions():
        yield from partition


def count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _in_period(
    column: ColumnElement, request: WorkbookRequest, *, times: bool = False
) -> ColumnElement[bool]:
    """``column`` (a date, or a date and time with ``times``) falls in the period."""
    first = month_start(request.period.first)
    after_last = month_start(add_months(request.period.last, 1))
    if times:
        start, end = (
            dt.datetime.combine(first, dt.time()),
            dt.datetime.combine(after_last, dt.time()),
        )
        return and_(column >= start, column < end)
    return and_(column >= first, column < after_last)


def _money(header: str, currency_index: int = 3, width: float = 15) -> Column:
    return Column(header, "money", width, currency=currency_index)


def budget_lines_query(request: WorkbookRequest) -> Select:
    line = BudgetLine
    query = (
        select(
            Client.name,
            Campaign.name,
            line.month,
            Client.currency,
            line.spend_budget,
            line.spend_forecast,
            line.spend_actual,
            line.revenue_budget,
            line.revenue_forecast,
            line.revenue_actual,
            line.sales_budget,
            line.sales_forecast,
            line.sales_actual,
            line.pieces,
            line.responses,
            Director.name,
            labelled(Client.vertical, VERTICAL),
            line.version,
        )
        .select_from(line)
        .join(Campaign, Campaign.id == line.campaign_id)
        .join(Client, Client.id == Campaign.client_id)
        .join(Director, Director.id == Client.director_id)
        .where(line.month.between(request.period.first, request.period.last))
        .order_by(Client.name, Client.id, Campaign.name, Campaign.id, line.month)
    )
    return request.scope.apply(query)


BUDGET_LINES = RecordSheet(
    "Budget lines",
    "BudgetLinesTable",
    (
        Column("Client", width=28),
        Column("Campaign", width=28),
        Column("Month", "month", 10),
        Column("Currency", width=9),
        _money("Spend budget"),
        _money("Spend forecast"),
        _money("Spend actual"),
        _money("Revenue budget"),
        _money("Revenue forecast"),
        _money("Revenue actual"),
        Column("Sales budget", "count", 12),
        Column("Sales forecast", "count", 12),
        Column("Sales actual", "count", 12),
        Column("Pieces", "count", 12),
        Column("Responses", "count", 12),
        Column("Account director", width=20),
        Column("Vertical", width=26),
        Column(VERSION_HEADER, "count", 11),
    ),
    budget_lines_query,
    freeze="D2",
)


def clients_query(request: WorkbookRequest) -> Select:
    query = (
        select(
            Client.name,
            labelled(Client.vertical, VERTICAL),
            labelled(Client.status, CLIENT_STATUS),
            Director.name,
            Rep.name,
            Client.contract_start,
            Client.contract_end,
            Client.renewal_date,
            labelled(Client.pricing_model, PRICING_MODEL),
            Client.compensation_terms,
            Client.currency,
            Client.fiscal_year_start,
            Client.notes,
            Client.version,
        )
        .join(Director, Director.id == Client.director_id)
        .outerjoin(Rep, Rep.id == Client.rep_id)
        .order_by(Client.name, Client.id)
    )
    return request.scope.apply(query)


CLIENTS = RecordSheet(
    "Clients",
    "ClientsTable",
    (
        Column("Client", width=30),
        Column("Vertical", width=26),
        Column("Status", width=12),
        Column("Account director", width=20),
        Column("Account rep", width=20),
        Column("Contract start", "date", 12),
        Column("Contract end", "date", 12),
        Column("Renewal date", "date", 12),
        Column("Pricing model", width=16),
        Column("Compensation terms", width=40),
        Column("Currency", width=9),
        Column("Fiscal year starts (month)", "count", 12),
        Column("Notes", width=40),
        Column(VERSION_HEADER, "count", 11),
    ),
    clients_query,
)


def campaigns_query(request: WorkbookRequest) -> Select:
    query = (
        select(
            Client.name,
            Campaign.name,
            Campaign.product,
            labelled(Campaign.channel, CHANNEL),
            labelled(Campaign.status, CAMPAIGN_STATUS),
            Campaign.start_date,
            Campaign.end_date,
            Campaign.persistency_pct,
            Campaign.persistency_months,
            Campaign.post_mortem,
            Campaign.version,
        )
        .join(Client, Client.id == Campaign.client_id)
        .order_by(Client.name, Client.id, Campaign.name, Campaign.id)
    )
    return request.scope.apply(query)


CAMPAIGNS = RecordSheet(
    "Campaigns",
    "CampaignsTable",
    (
        Column("Client", width=28),
        Column("Campaign", width=30),
        Column("Product", width=22),
        Column("Channel", width=14),
        Column("Status", width=12),
        Column("Start", "date", 12),
        Column("End", "date", 12),
        Column("Persistency %", "decimal", 12),
        Column("Persistency after (months)", "count", 12),
        Column("Post-mortem", width=40),
        Column(VERSION_HEADER, "count", 11),
    ),
    campaigns_query,
    freeze="C2",
)


def requests_query(request: WorkbookRequest) -> Select:
    now = dt.datetime.combine(request.today, dt.time.max).replace(microsecond=0)
    resolved = ClientRequest.resolved_at
    sla = case(
        (and_(resolved.is_not(None), resolved <= ClientRequest.sla_due_at), literal("met")),
        (resolved.is_not(None), literal("BREACHED")),
        (ClientRequest.sla_due_at < now, literal("OVERDUE")),
        else_=literal("open, within SLA"),
    )
    query = (
        select(
            Client.name,
            labelled(ClientRequest.category, REQUEST_CATEGORY),
            labelled(ClientRequest.priority, PRIORITY),
            ClientRequest.subject,
            ClientRequest.detail,
            Owner.name,
            labelled(ClientRequest.status, REQUEST_STATUS),
            ClientRequest.opened_at,
            ClientRequest.sla_due_at,
            resolved,
            ClientRequest.escalation_level,
            sla,
        )
        .join(Client, Client.id == ClientRequest.client_id)
        .outerjoin(Owner, Owner.id == ClientRequest.owner_id)
        .where(_in_period(ClientRequest.opened_at, request, times=True))
        .order_by(ClientRequest.opened_at, ClientRequest.id)
    )
    return request.scope.apply(query)


REQUESTS = RecordSheet(
    "Requests",
    "RequestsTable",
    (
        Column("Client", width=28),
        Column("Category", width=12),
        Column("Priority", width=10),
        Column("Subject", width=36),
        Column("Detail", width=40),
        Column("Owner", width=20),
        Column("Status", width=16),
        Column("Opened", "datetime", 17),
        Column("SLA due", "datetime", 17),
        Column("Resolved", "datetime", 17),
        Column("Escalation", "count", 10),
        Column("SLA", width=16),
    ),
    requests_query,
)


def opportunities_query(request: WorkbookRequest) -> Select:
    query = (
        select(
            Client.name,
            Opportunity.name,
            labelled(Opportunity.kind, OPPORTUNITY_KIND),
            labelled(Opportunity.stage, STAGE),
            Client.currency,
            Opportunity.value,
            Opportunity.probability,
            Opportunity.expected_close,
            Owner.name,
            Opportunity.notes,
            Opportunity.version,
        )
        .join(Client, Client.id == Opportunity.client_id)
        .outerjoin(Owner, Owner.id == Opportunity.owner_id)
        .order_by(Client.name, Client.id, Opportunity.name, Opportunity.id)
    )
    return request.scope.apply(query)


OPPORTUNITIES = RecordSheet(
    "Opportunities",
    "OpportunitiesTable",
    (
        Column("Client", width=28),
        Column("Opportunity", width=30),
        Column("Kind", width=12),
        Column("Stage", width=12),
        Column("Currency", width=9),
        _money("Value", currency_index=4),
        Column("Probability %", "count", 12),
        Column("Expected close", "date", 13),
        Column("Owner", width=20),
        Column("Notes", width=40),
        Column(VERSION_HEADER, "count", 11),
    ),
    opportunities_query,
    freeze="C2",
)


def deadlines_query(request: WorkbookRequest) -> Select:
    materials = (
        select(
            func.aggregate_strings(
                MaterialItem.name + literal(": ") + labelled(MaterialItem.status, MATERIAL_STATUS),
                "; ",
            )
        )
        .where(MaterialItem.deadline_id == Deadline.id)
        .scalar_subquery()
    )
    query = (
        select(
            Client.name,
            Campaign.name,
            Deadline.title,
            Deadline.due_date,
            Deadline.legally_required,
            Owner.name,
            Deadline.completed_on,
            materials,
            Deadline.notes,
        )
        .join(Client, Client.id == Deadline.client_id)
        .outerjoin(Campaign, Campaign.id == Deadline.campaign_id)
        .outerjoin(Owner, Owner.id == Deadline.owner_id)
        .where(_in_period(Deadline.due_date, request))
        .order_by(Deadline.due_date, Deadline.id)
    )
    return request.scope.apply(query)


DEADLINES = RecordSheet(
    "Deadlines",
    "DeadlinesTable",
    (
        Column("Client", width=28),
        Column("Campaign", width=28),
        Column("Deadline", width=36),
        Column("Due", "date", 12),
        Column("Legal", "bool", 8),
        Column("Owner", width=20),
        Column("Completed", "date", 12),
        Column("Materials", width=44),
        Column("Notes", width=40),
    ),
    deadlines_query,
)

#: In workbook order, after Summary and Variance.
RECORD_SHEETS = (BUDGET_LINES, CLIENTS, CAMPAIGNS, REQUESTS, OPPORTUNITIES, DEADLINES)
