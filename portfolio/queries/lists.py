"""Every list the desktop app shows, defined once as columns over SQL.

Columns that people edit name the ``portfolio.editing`` field they change; computed
columns (variances, SLA state, weighted value) are SQL expressions, so they sort and
filter in the database like any other. A few columns depend on the day (what counts as
closed, overdue, due soon), so the definitions are built for a ``ListContext``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from portfolio.analytics.dimensions import Director
from portfolio.model import (
    BudgetLine,
    Campaign,
    Client,
    ClientRequest,
    Contact,
    Deadline,
    Feedback,
    MakeupAction,
    MaterialItem,
    Meeting,
    Opportunity,
    TeamMember,
)
from portfolio.model.vocab import (
    ACTION_STATUS,
    ACTION_TYPE,
    CAMPAIGN_STATUS,
    CHANNEL,
    CLIENT_STATUS,
    DONE_REQUEST_STATUSES,
    FEEDBACK_KIND,
    MATERIAL_STATUS,
    MEASURE,
    OPPORTUNITY_KIND,
    PRICING_MODEL,
    PRIORITY,
    REQUEST_CATEGORY,
    REQUEST_STATUS,
    ROLE,
    STAGE,
    VERTICAL,
)
from portfolio.periods import add_months, last_closed_month, month_label
from portfolio.queries.listing import CellNote, Join, ListColumn, ListDefinition

Rep = aliased(TeamMember, name="rep")
Owner = aliased(TeamMember, name="owner")
Manager = aliased(TeamMember, name="manager")

#: Days ahead a deadline counts as due soon (the Overview's horizon too).
DUE_SOON_DAYS = 14


#: How far back the figures may be set to count actuals: a year of closed months.
AS_OF_CHOICES = 12


@dataclass(frozen=True)
class ListContext:
    """The day lists are read on (what is overdue), and the month the figures count
    actuals to (``as_of``, YYYYMM): by default the last closed month, the one before
    today's; earlier when its actuals are not in yet (``counting_to``)."""

    today: dt.date
    as_of: int

    @classmethod
    def for_today(cls, today: dt.date | None = None) -> ListContext:
        day = today or dt.date.today()
        return cls(day, last_closed_month(day))

    @property
    def last_closed(self) -> int:
        """The month before today's (YYYYMM): closed by the calendar."""
        return last_closed_month(self.today)

    @property
    def counts_every_closed_month(self) -> bool:
        return self.as_of == self.last_closed

    def as_of_choices(self) -> list[int]:
        """The months figures may count actuals to, latest first: the last closed month
        and the ``AS_OF_CHOICES - 1`` before it."""
        return [add_months(self.last_closed, -back) for back in range(AS_OF_CHOICES)]

    def counting_to(self, as_of: int) -> ListContext:
        """The same day, with figures counting actuals to ``as_of`` (YYYYMM).

        On 1 December, say, November is closed but its actuals are not in: counting to
        October shows November's forecast as its outlook instead of a 0 actual. The
        rule is the CLI's ``--as-of``, limited to closed months (an open month's
        actuals are not final) a year back at most.

        Raises ``ValueError`` naming the month for any month not in ``as_of_choices``.
        """
        if as_of not in self.as_of_choices():
            raise ValueError(
                f"Actuals can be counted to a closed month from "
                f"{month_label(self.as_of_choices()[-1])} to {month_label(self.last_closed)}, "
                f"not {month_label(as_of)}"
            )
        return replace(self, as_of=as_of)


def _column(
    key: str, label: str, expression: ColumnElement, kind: str = "text", **options
) -> ListColumn:
    nullable = options.pop("nullable", None)
    if nullable is None:
        nullable = getattr(getattr(expression, "expression", expression), "nullable", True)
    return ListColumn(key, label, expression, kind, nullable=bool(nullable), **options)


def _name(key: str, label: str, expression: ColumnElement, **options) -> ListColumn:
    options.setdefault("width", 26)
    return _column(key, label, expression, searchable=True, **options)


def _choice(key: str, label: str, expression: ColumnElement, vocabulary, **options) -> ListColumn:
    return _column(
        key, label, expression, "choice", vocabulary=vocabulary, searchable=True, **options
    )


def _money(key: str, label: str, expression: ColumnElement, **options) -> ListColumn:
    options.setdefault("width", 16)
    return _column(key, label, expression, "money", total=True, **options)


def _outlook(actual, forecast, as_of: int) -> ColumnElement[int]:
    """Actual for closed months (an empty actual counts as 0), forecast for open ones."""
    return case((BudgetLine.month <= as_of, func.coalesce(actual, 0)), else_=forecast)


def clients(context: ListContext) -> ListDefinition:
    campaigns = (
        select(func.count())
        .where(Campaign.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )
    open_requests = (
        select(func.count())
        .where(
            ClientRequest.client_id == Client.id,
            ClientRequest.status.not_in(DONE_REQUEST_STATUSES),
        )
        .correlate(Client)
        .scalar_subquery()
    )
    return ListDefinition(
        "clients",
        "Clients",
        "client",
        Client,
        (
            Join(Director, Director.id == Client.director_id),
            Join(Rep, Rep.id == Client.rep_id, outer=True),
        ),
        (
            _name("name", "Client", Client.name, field="name", width=30),
            _choice("vertical", "Vertical", Client.vertical, VERTICAL, field="vertical", width=28),
            _choice("status", "Status", Client.status, CLIENT_STATUS, field="status", width=10),
            _name("director", "Account director", Director.name, field="director_id", width=20),
            _name("rep", "Account rep", Rep.name, field="rep_id", width=20, nullable=True),
            _column(
                "currency",
                "Currency",
                Client.currency,
                "currency",
                field="currency",
                width=8,
                searchable=True,
            ),
            _column(
                "contract_start",
                "Contract start",
                Client.contract_start,
                "date",
                field="contract_start",
                visible=False,
            ),
            _column(
                "contract_end", "Contract end", Client.contract_end, "date", field="contract_end"
            ),
            _column("renewal_date", "Renewal", Client.renewal_date, "date", field="renewal_date"),
            _choice(
                "pricing_model",
                "Pricing",
                Client.pricing_model,
                PRICING_MODEL,
                field="pricing_model",
                width=14,
            ),
            _column(
                "fiscal_year_start",
                "FY starts",
                Client.fiscal_year_start,
                "integer",
                field="fiscal_year_start",
                visible=False,
                width=8,
            ),
            _column("campaigns", "Campaigns", campaigns, "count", width=9, nullable=False),
            _column(
                "open_requests", "Open requests", open_requests, "count", width=9, nullable=False
            ),
        ),
        default_sort=(("name", False),),
        scopes={"client_id": Client.id, "director_id": Client.director_id},
        currency=Client.currency,
        keys=(("client_id", Client.id), ("director_id", Client.director_id)),
    )


def campaigns(context: ListContext) -> ListDefinition:
    return ListDefinition(
        "campaigns",
        "Campaigns",
        "campaign",
        Campaign,
        (Join(Client, Client.id == Campaign.client_id),),
        (
            _name("client", "Client", Client.name),
            _name("name", "Campaign", Campaign.name, field="name", width=32),
            _name("product", "Product", Campaign.product, field="product", width=20),
            _choice("channel", "Channel", Campaign.channel, CHANNEL, field="channel", width=13),
            _choice("status", "Status", Campaign.status, CAMPAIGN_STATUS, field="status", width=10),
            _column("start_date", "Start", Campaign.start_date, "date", field="start_date"),
            _column("end_date", "End", Campaign.end_date, "date", field="end_date"),
            _column(
                "persistency_pct",
                "Persistency %",
                Campaign.persistency_pct,
                "percent",
                field="persistency_pct",
                width=10,
            ),
            _column(
                "persistency_months",
                "after (months)",
                Campaign.persistency_months,
                "integer",
                field="persistency_months",
                visible=False,
                width=8,
            ),
        ),
        default_sort=(("client", False), ("name", False)),
        scopes={
            "client_id": Campaign.client_id,
            "campaign_id": Campaign.id,
            "director_id": Client.director_id,
        },
        currency=Client.currency,
        keys=(("client_id", Campaign.client_id), ("campaign_id", Campaign.id)),
    )


def _through_campaign(match: ColumnElement[bool]) -> ColumnElement[bool]:
    """A budget line matches when its campaign (or the campaign's client) does."""
    campaigns = select(Campaign.id).join(Client, Client.id == Campaign.client_id).where(match)
    return BudgetLine.campaign_id.in_(campaigns)


def budget_lines(context: ListContext) -> ListDefinition:
    as_of = context.as_of
    line = BudgetLine
    spend_variance = _outlook(line.spend_actual, line.spend_forecast, as_of) - line.spend_budget
    revenue_variance = (
        _outlook(line.revenue_actual, line.revenue_forecast, as_of) - line.revenue_budget
    )
    sales_variance = _outlook(line.sales_actual, line.sales_forecast, as_of) - line.sales_budget
    tip = (
        f"Outlook minus budget: the actual for months to {month_label(as_of)} (an empty "
        "actual counts as 0), the forecast after"
    )

    def no_actual(actual) -> CellNote:
        # The roll-ups count it so too (``figure_columns``); the mark says the figure
        # is a missing actual, not a real under- or overspend.
        return CellNote(
            and_(line.month <= as_of, actual.is_(None)),
            "No actual entered for this closed month: counted as 0",
        )

    return ListDefinition(
        "budget_lines",
        "Budget lines",
        "budget_line",
        BudgetLine,
        (
            Join(Campaign, Campaign.id == BudgetLine.campaign_id),
            Join(Client, Client.id == Campaign.client_id),
        ),
        (
            _name("client", "Client", Client.name, width=24, search=_through_campaign),
            _name("campaign", "Campaign", Campaign.name, width=28, search=_through_campaign),
            _column("month", "Month", line.month, "month", width=8, searchable=True),
            _money("spend_budget", "Spend budget", line.spend_budget, field="spend_budget"),
            _money("spend_forecast", "Spend forecast", line.spend_forecast, field="spend_forecast"),
            _money("spend_actual", "Spend actual", line.spend_actual, field="spend_actual"),
            _money(
                "spend_variance",
                "Spend variance",
                spend_variance,
                higher_is_better=False,
                tooltip=tip,
                note=no_actual(line.spend_actual),
            ),
            _money("revenue_budget", "Revenue budget", line.revenue_budget, field="revenue_budget"),
            _money(
                "revenue_forecast",
                "Revenue forecast",
                line.revenue_forecast,
                field="revenue_forecast",
            ),
            _money("revenue_actual", "Revenue actual", line.revenue_actual, field="revenue_actual"),
            _money(
                "revenue_variance",
                "Revenue variance",
                revenue_variance,
                higher_is_better=True,
                tooltip=tip,
                note=no_actual(line.revenue_actual),
            ),
            _column(
                "sales_budget",
                "Sales budget",
                line.sales_budget,
                "count",
                field="sales_budget",
                total=True,
                visible=False,
                width=9,
            ),
            _column(
                "sales_forecast",
                "Sales forecast",
                line.sales_forecast,
                "count",
                field="sales_forecast",
                total=True,
                visible=False,
                width=9,
            ),
            _column(
                "sales_actual",
                "Sales actual",
                line.sales_actual,
                "count",
                field="sales_actual",
                total=True,
                width=9,
            ),
            _column(
                "sales_variance",
                "Sales variance",
                sales_variance,
                "count",
                higher_is_better=True,
                total=True,
                visible=False,
                width=9,
                tooltip=tip,
                note=no_actual(line.sales_actual),
            ),
            _column(
                "pieces",
                "Pieces",
                line.pieces,
                "count",
                field="pieces",
                total=True,
                visible=False,
                width=10,
            ),
            _column(
                "responses",
                "Responses",
                line.responses,
                "count",
                field="responses",
                total=True,
                visible=False,
                width=9,
            ),
        ),
        # The stored order (campaign, then month) reads well and needs no sort.
        default_sort=(),
        scopes={
            "client_id": Campaign.client_id,
            "campaign_id": BudgetLine.campaign_id,
            "director_id": Client.director_id,
        },
        currency=Client.currency,
        keys=(("client_id", Campaign.client_id), ("campaign_id", BudgetLine.campaign_id)),
    )


def requests(context: ListContext) -> ListDefinition:
    now = dt.datetime.combine(context.today, dt.time.max).replace(microsecond=0)
    done = ClientRequest.status.in_(DONE_REQUEST_STATUSES)
    sla_state = case(
        (and_(done, ClientRequest.resolved_at <= ClientRequest.sla_due_at), literal("Met")),
        (done, literal("Missed")),
        (ClientRequest.sla_due_at < now, literal("Overdue")),
        else_=literal("Open"),
    )
    urgency = case(
        (and_(~done, ClientRequest.sla_due_at < now), 0),
        (~done, 1),
        else_=2,
    )
    return ListDefinition(
        "requests",
        "Requests",
        "client_request",
        ClientRequest,
        (
            Join(Client, Client.id == ClientRequest.client_id),
            Join(Owner, Owner.id == ClientRequest.owner_id, outer=True),
        ),
        (
            _name("client", "Client", Client.name, width=22),
            _name("subject", "Subject", ClientRequest.subject, field="subject", width=34),
            _choice(
                "category",
                "Category",
                ClientRequest.category,
                REQUEST_CATEGORY,
                field="category",
                width=10,
            ),
            _choice(
                "priority", "Priority", ClientRequest.priority, PRIORITY, field="priority", width=8
            ),
            _choice(
                "status", "Status", ClientRequest.status, REQUEST_STATUS, field="status", width=14
            ),
            _name("owner", "Owner", Owner.name, field="owner_id", width=18, nullable=True),
            _column(
                "opened_at",
                "Opened",
                ClientRequest.opened_at,
                "datetime",
                field="opened_at",
                width=15,
            ),
            _column("sla_due_at", "SLA due", ClientRequest.sla_due_at, "datetime", width=15),
            _column(
                "sla",
                "SLA",
                sla_state,
                "text",
                width=8,
                nullable=False,
                alerts=("Overdue", "Missed"),
                sort_expression=urgency,
                tooltip="Met or Missed once resolved; Overdue when open past its SLA",
            ),
            _column(
                "resolved_at",
                "Resolved",
                ClientRequest.resolved_at,
                "datetime",
                field="resolved_at",
                width=15,
            ),
            _column(
                "escalation_level",
                "Escalation",
                ClientRequest.escalation_level,
                "integer",
                field="escalation_level",
                width=8,
            ),
        ),
        default_sort=(("sla", False), ("sla_due_at", False)),
        scopes={"client_id": ClientRequest.client_id, "director_id": Client.director_id},
        currency=Client.currency,
        keys=(("client_id", ClientRequest.client_id),),
    )


def opportunities(context: ListContext) -> ListDefinition:
    # Rounded half up per row; the Overview's pipeline figure rounds the exact total.
    weighted = (Opportunity.value * Opportunity.probability + 50) / 100
    return ListDefinition(
        "opportunities",
        "Opportunities",
        "opportunity",
        Opportunity,
        (
            Join(Client, Client.id == Opportunity.client_id),
            Join(Owner, Owner.id == Opportunity.owner_id, outer=True),
        ),
        (
            _name("client", "Client", Client.name, width=22),
            _name("name", "Opportunity", Opportunity.name, field="name", width=28),
            _choice("kind", "Kind", Opportunity.kind, OPPORTUNITY_KIND, field="kind", width=10),
            _choice("stage", "Stage", Opportunity.stage, STAGE, field="stage", width=11),
            _money("value", "Value", Opportunity.value, field="value"),
            _column(
                "probability",
                "Chance %",
                Opportunity.probability,
                "integer",
                field="probability",
                width=8,
            ),
            _money(
                "weighted",
                "Weighted",
                weighted,
                nullable=False,
                tooltip="Value times the chance of winning",
            ),
            _column(
                "expected_close",
                "Expected close",
                Opportunity.expected_close,
                "date",
                field="expected_close",
            ),
            _name("owner", "Owner", Owner.name, field="owner_id", width=18, nullable=True),
        ),
        default_sort=(("expected_close", False),),
        scopes={"client_id": Opportunity.client_id, "director_id": Client.director_id},
        currency=Client.currency,
        keys=(("client_id", Opportunity.client_id),),
    )


def deadlines(context: ListContext) -> ListDefinition:
    today = context.today
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    open_ = Deadline.completed_on.is_(None)
    state = case(
        (~open_, literal("Done")),
        (Deadline.due_date < today, literal("Overdue")),
        (Deadline.due_date <= soon, literal("Due soon")),
        else_=literal("Upcoming"),
    )
    urgency = case(
        (~open_, 3),
        (Deadline.due_date < today, 0),
        (Deadline.due_date <= soon, 1),
        else_=2,
    )
    materials = (
        select(func.count())
        .where(MaterialItem.deadline_id == Deadline.id)
        .correlate(Deadline)
        .scalar_subquery()
    )
    received = (
        select(func.count())
        .where(MaterialItem.deadline_id == Deadline.id, MaterialItem.status == "received")
        .correlate(Deadline)
        .scalar_subquery()
    )
    return ListDefinition(
        "deadlines",
        "Deadlines",
        "deadline",
        Deadline,
        (
            Join(Client, Client.id == Deadline.client_id),
            Join(Campaign, Campaign.id == Deadline.campaign_id, outer=True),
            Join(Owner, Owner.id == Deadline.owner_id, outer=True),
        ),
        (
            _column("due_date", "Due", Deadline.due_date, "date", field="due_date", width=10),
            _column(
                "state",
                "State",
                state,
                "text",
                width=9,
                nullable=False,
                alerts=("Overdue", "Due soon"),
                sort_expression=urgency,
            ),
            _name("title", "Deadline", Deadline.title, field="title", width=30),
            _name("client", "Client", Client.name, width=22),
            _name("campaign", "Campaign", Campaign.name, width=24, nullable=True),
            _column(
                "legally_required",
                "Legal",
                Deadline.legally_required,
                "bool",
                field="legally_required",
                width=6,
            ),
            _name("owner", "Owner", Owner.name, field="owner_id", width=18, nullable=True),
            _column(
                "materials",
                "Materials received",
                received,
                "count",
                width=9,
                nullable=False,
                visible=False,
            ),
            _column("materials_total", "Materials", materials, "count", width=9, nullable=False),
            _column(
                "completed_on", "Completed", Deadline.completed_on, "date", field="completed_on"
            ),
        ),
        default_sort=(("state", False), ("due_date", False)),
        scopes={
            "client_id": Deadline.client_id,
            "campaign_id": Deadline.campaign_id,
            "director_id": Client.director_id,
        },
        currency=Client.currency,
        keys=(("client_id", Deadline.client_id), ("deadline_id", Deadline.id)),
    )


def materials(context: ListContext) -> ListDefinition:
    return ListDefinition(
        "materials",
        "Materials",
        "material_item",
        MaterialItem,
        (),
        (
            _name("name", "Item", MaterialItem.name, field="name", width=22),
            _column(
                "quantity", "Quantity", MaterialItem.quantity, "count", field="quantity", width=9
            ),
            _choice(
                "status",
                "Status",
                MaterialItem.status,
                MATERIAL_STATUS,
                field="status",
                width=9,
                alerts=("needed",),
            ),
            _column("status_on", "Since", MaterialItem.status_on, "date", field="status_on"),
        ),
        default_sort=(("name", False),),
        scopes={"deadline_id": MaterialItem.deadline_id},
        keys=(("deadline_id", MaterialItem.deadline_id),),
    )


def team(context: ListContext) -> ListDefinition:
    directed = (
        select(func.count())
        .where((Client.director_id == TeamMember.id) | (Client.rep_id == TeamMember.id))
        .correlate(TeamMember)
        .scalar_subquery()
    )
    return ListDefinition(
        "team",
        "Team",
        "team_member",
        TeamMember,
        (Join(Manager, Manager.id == TeamMember.manager_id, outer=True),),
        (
            _name("name", "Name", TeamMember.name, field="name", width=22),
            _choice("role", "Role", TeamMember.role, ROLE, field="role", width=22),
            _name(
                "manager", "Reports to", Manager.name, field="manager_id", width=22, nullable=True
            ),
            _name("email", "Email", TeamMember.email, field="email", width=28),
            _column("active", "Active", TeamMember.active, "bool", field="active", width=6),
            _column("clients", "Clients", directed, "count", width=8, nullable=False),
        ),
        default_sort=(("role", False), ("name", False)),
        scopes={"manager_id": TeamMember.manager_id, "member_id": TeamMember.id},
        keys=(("member_id", TeamMember.id), ("role", TeamMember.role)),
        noun="team members",
    )


def makeup_actions(context: ListContext) -> ListDefinition:
    # A sales action recovers a count, not an amount: no currency for it.
    currency = case((MakeupAction.measure == "sales", literal(None)), else_=Client.currency)
    return ListDefinition(
        "makeup_actions",
        "Make-up actions",
        "makeup_action",
        MakeupAction,
        (
            Join(Client, Client.id == MakeupAction.client_id),
            Join(Campaign, Campaign.id == MakeupAction.campaign_id, outer=True),
            Join(Owner, Owner.id == MakeupAction.owner_id, outer=True),
        ),
        (
            _name("client", "Client", Client.name, width=22),
            _name("campaign", "Campaign", Campaign.name, width=24, nullable=True),
            _choice("measure", "Measure", MakeupAction.measure, MEASURE, field="measure", width=8),
            _choice(
                "action_type",
                "Action",
                MakeupAction.action_type,
                ACTION_TYPE,
                field="action_type",
                width=13,
            ),
            _name(
                "description",
                "Description",
                MakeupAction.description,
                field="description",
                width=34,
            ),
            _name("owner", "Owner", Owner.name, field="owner_id", width=18, nullable=True),
            _column(
                "target_month",
                "Target month",
                MakeupAction.target_month,
                "month",
                field="target_month",
                width=8,
            ),
            _money("amount", "To recover", MakeupAction.amount, field="amount"),
            _choice(
                "status", "Status", MakeupAction.status, ACTION_STATUS, field="status", width=10
            ),
        ),
        default_sort=(("target_month", False),),
        scopes={
            "client_id": MakeupAction.client_id,
            "campaign_id": MakeupAction.campaign_id,
            "director_id": Client.director_id,
            "measure": MakeupAction.measure,
        },
        currency=currency,
        keys=(("client_id", MakeupAction.client_id), ("campaign_id", MakeupAction.campaign_id)),
    )


def feedback(context: ListContext) -> ListDefinition:
    return ListDefinition(
        "feedback",
        "Feedback",
        "feedback",
        Feedback,
        (
            Join(Client, Client.id == Feedback.client_id),
            Join(Contact, Contact.id == Feedback.contact_id, outer=True),
        ),
        (
            _column("received_on", "Date", Feedback.received_on, "date", field="received_on"),
            _name("client", "Client", Client.name, width=22),
            _choice("kind", "Scale", Feedback.kind, FEEDBACK_KIND, field="kind", width=10),
            _column("score", "Score", Feedback.score, "integer", field="score", width=6),
            _name("comment", "Comment", Feedback.comment, field="comment", width=44),
            _name("contact", "From", Contact.name, width=18, nullable=True),
        ),
        default_sort=(("received_on", True),),
        scopes={"client_id": Feedback.client_id, "director_id": Client.director_id},
        keys=(("client_id", Feedback.client_id),),
    )


def meetings(context: ListContext) -> ListDefinition:
    return ListDefinition(
        "meetings",
        "Meetings",
        "meeting",
        Meeting,
        (Join(Client, Client.id == Meeting.client_id),),
        (
            _column("held_on", "Date", Meeting.held_on, "date", field="held_on"),
            _name("client", "Client", Client.name, width=22),
            _name("title", "Meeting", Meeting.title, field="title", width=28),
            _name("attendees", "Attendees", Meeting.attendees, field="attendees", width=24),
            _name("next_steps", "Next steps", Meeting.next_steps, field="next_steps", width=40),
            _name("notes", "Notes", Meeting.notes, field="notes", visible=False, width=40),
        ),
        default_sort=(("held_on", True),),
        scopes={"client_id": Meeting.client_id, "director_id": Client.director_id},
        keys=(("client_id", Meeting.client_id),),
    )


BUILDERS = {
    "clients": clients,
    "campaigns": campaigns,
    "budget_lines": budget_lines,
    "requests": requests,
    "opportunities": opportunities,
    "deadlines": deadlines,
    "materials": materials,
    "team": team,
    "makeup_actions": makeup_actions,
    "feedback": feedback,
    "meetings": meetings,
}


@lru_cache(maxsize=64)
def list_definition(name: str, context: ListContext) -> ListDefinition:
    """The definition of list ``name`` for the day in ``context`` (built once per day)."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise KeyError(f"no list {name!r} (lists: {', '.join(BUILDERS)})") from None
    return builder(context)
