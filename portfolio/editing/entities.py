"""The editable records of the domain: their fields, natural keys and cross-field rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portfolio.editing.fields import FieldSpec
from portfolio.model import (
    BudgetLine,
    Campaign,
    CampaignDrop,
    Client,
    ClientRequest,
    Contact,
    Deadline,
    Feedback,
    FxRate,
    MakeupAction,
    MaterialItem,
    Meeting,
    Opportunity,
    SalesObjective,
    TeamMember,
)
from portfolio.model.base import Base
from portfolio.model.vocab import (
    ACTION_STATUS,
    ACTION_TYPE,
    CAMPAIGN_STATUS,
    CHANNEL,
    CLIENT_STATUS,
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

#: A rule over a whole record: returns (field, message) pairs for what is wrong.
RecordRule = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class EntitySpec:
    name: str
    label: str
    plural: str
    model: type[Base]
    fields: tuple[FieldSpec, ...]
    #: Fields that identify a row to a person and to importers (unique together).
    natural_key: tuple[str, ...]
    #: The reference field to the record's owner (client_id, campaign_id, ...).
    parent: str | None = None
    rules: tuple[RecordRule, ...] = field(default=())
    #: Tables removed with a row of this entity, for the confirmation message.
    cascades: tuple[str, ...] = ()

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)


def F(name: str, label: str, kind: str = "text", **options: Any) -> FieldSpec:  # noqa: N802
    return FieldSpec(name, label, kind, **options)


def not_before(first: str, last: str, first_label: str, last_label: str) -> RecordRule:
    def rule(record: dict[str, Any]) -> list[tuple[str, str]]:
        start, end = record.get(first), record.get(last)
        if start is not None and end is not None and end < start:
            return [(last, f"{end} is before the {first_label.lower()} ({start})")]
        return []

    rule.__doc__ = f"{last_label} may not come before {first_label}."
    return rule


def score_in_scale(record: dict[str, Any]) -> list[tuple[str, str]]:
    kind, score = record.get("kind"), record.get("score")
    if score is None:
        return []
    if kind == "csat" and not 1 <= score <= 5:
        return [("score", f"{score} is outside the CSAT scale 1-5")]
    if kind == "nps" and not 0 <= score <= 10:
        return [("score", f"{score} is outside the NPS scale 0-10")]
    return []


def resolved_matches_status(record: dict[str, Any]) -> list[tuple[str, str]]:
    done = record.get("status") in ("resolved", "closed")
    if done and record.get("resolved_at") is None:
        return [("resolved_at", "a resolved or closed request needs its resolution time")]
    if not done and record.get("resolved_at") is not None:
        return [("status", "a request with a resolution time must be resolved or closed")]
    return []


MONEY = {"minimum": 0}

ENTITIES: dict[str, EntitySpec] = {}


def _register(spec: EntitySpec) -> EntitySpec:
    ENTITIES[spec.name] = spec
    return spec


_register(
    EntitySpec(
        "team_member",
        "Team member",
        "Team",
        TeamMember,
        (
            F("name", "Name", required=True, max_length=200),
            F("email", "Email", max_length=320),
            F("role", "Role", "choice", required=True, vocabulary=ROLE),
            F("manager_id", "Reports to", "person"),
            F("active", "Active", "bool"),
        ),
        natural_key=("name",),
    )
)
_register(
    EntitySpec(
        "client",
        "Client",
        "Clients",
        Client,
        (
            F("name", "Client", required=True, max_length=200, aliases=("client name", "account")),
            F("vertical", "Vertical", "choice", required=True, vocabulary=VERTICAL),
            F("status", "Status", "choice", required=True, vocabulary=CLIENT_STATUS),
            F(
                "director_id",
                "Account director",
                "person",
                required=True,
                role="account_director",
                aliases=("director",),
            ),
            F("rep_id", "Account rep", "person", role="account_rep", aliases=("rep",)),
            F("contract_start", "Contract start", "date"),
            F("contract_end", "Contract end", "date"),
            F("renewal_date", "Renewal date", "date", aliases=("renewal",)),
            F("pricing_model", "Pricing model", "choice", required=True, vocabulary=PRICING_MODEL),
            F("compensation_terms", "Compensation terms", "longtext"),
            F("currency", "Currency", "currency", required=True),
            F("fiscal_year_start", "Fiscal year starts (month)", "integer", minimum=1, maximum=12),
            F("notes", "Notes", "longtext"),
        ),
        natural_key=("name",),
        rules=(not_before("contract_start", "contract_end", "Contract start", "Contract end"),),
        cascades=(
            "campaign",
            "budget_line",
            "client_request",
            "feedback",
            "opportunity",
            "deadline",
            "meeting",
            "contact",
            "makeup_action",
        ),
    )
)
_register(
    EntitySpec(
        "contact",
        "Contact",
        "Contacts",
        Contact,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("name", "Name", required=True, max_length=200),
            F("title", "Title", max_length=200),
            F("email", "Email", max_length=320),
            F("phone", "Phone", max_length=64),
            F("is_primary", "Primary", "bool"),
        ),
        natural_key=("client_id", "name"),
        parent="client_id",
    )
)
_register(
    EntitySpec(
        "campaign",
        "Campaign",
        "Campaigns",
        Campaign,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F(
                "name",
                "Campaign",
                required=True,
                max_length=200,
                aliases=("campaign name", "program"),
            ),
            F("product", "Product", max_length=200),
            F("channel", "Channel", "choice", required=True, vocabulary=CHANNEL),
            F("status", "Status", "choice", required=True, vocabulary=CAMPAIGN_STATUS),
            F("start_date", "Start", "date", aliases=("start date",)),
            F("end_date", "End", "date", aliases=("end date",)),
            F("persistency_pct", "Persistency %", "percent", minimum=0, maximum=100),
            F("persistency_months", "Persistency after (months)", "integer", minimum=1),
            F("post_mortem", "Post-mortem", "longtext"),
        ),
        natural_key=("client_id", "name"),
        parent="client_id",
        rules=(not_before("start_date", "end_date", "Start", "End"),),
        cascades=("budget_line", "campaign_drop", "deadline", "makeup_action"),
    )
)
_register(
    EntitySpec(
        "campaign_drop",
        "Drop",
        "Drops",
        CampaignDrop,
        (
            F("campaign_id", "Campaign", "reference", required=True, refers_to="campaign"),
            F("drop_date", "Drop date", "date", required=True),
            F("pieces", "Pieces", "count", minimum=0),
        ),
        natural_key=("campaign_id", "drop_date"),
        parent="campaign_id",
    )
)
_register(
    EntitySpec(
        "budget_line",
        "Budget line",
        "Budget lines",
        BudgetLine,
        (
            F("campaign_id", "Campaign", "reference", required=True, refers_to="campaign"),
            F("month", "Month", "month", required=True),
            F("spend_budget", "Spend budget", "money", **MONEY, aliases=("budget",)),
            F("spend_forecast", "Spend forecast", "money", **MONEY, aliases=("forecast",)),
            F("spend_actual", "Spend actual", "money", **MONEY, aliases=("actual",)),
            F("revenue_budget", "Revenue budget", "money", **MONEY),
            F("revenue_forecast", "Revenue forecast", "money", **MONEY),
            F("revenue_actual", "Revenue actual", "money", **MONEY),
            F("sales_budget", "Sales budget", "count", minimum=0),
            F("sales_forecast", "Sales forecast", "count", minimum=0),
            F("sales_actual", "Sales actual", "count", minimum=0),
            F("pieces", "Pieces", "count", minimum=0),
            F("responses", "Responses", "count", minimum=0),
        ),
        natural_key=("campaign_id", "month"),
        parent="campaign_id",
    )
)
_register(
    EntitySpec(
        "makeup_action",
        "Make-up action",
        "Make-up actions",
        MakeupAction,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("campaign_id", "Campaign", "reference", refers_to="campaign"),
            F("measure", "Measure", "choice", required=True, vocabulary=MEASURE),
            F("action_type", "Action", "choice", required=True, vocabulary=ACTION_TYPE),
            F("description", "Description", "longtext", required=True),
            F("owner_id", "Owner", "person"),
            F("target_month", "Target month", "month", required=True),
            F("amount", "Amount to recover", "money", required=True, minimum=1),
            F("status", "Status", "choice", required=True, vocabulary=ACTION_STATUS),
        ),
        natural_key=(),
        parent="client_id",
    )
)
_register(
    EntitySpec(
        "client_request",
        "Request",
        "Requests",
        ClientRequest,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("category", "Category", "choice", required=True, vocabulary=REQUEST_CATEGORY),
            F("priority", "Priority", "choice", required=True, vocabulary=PRIORITY),
            F("subject", "Subject", required=True, max_length=300),
            F("detail", "Detail", "longtext"),
            F("owner_id", "Owner", "person"),
            F("status", "Status", "choice", required=True, vocabulary=REQUEST_STATUS),
            F("opened_at", "Opened", "datetime", required=True),
            F("sla_due_at", "SLA due", "datetime", editable=False),
            F("resolved_at", "Resolved", "datetime"),
            F("escalation_level", "Escalation", "integer", minimum=0, maximum=3),
        ),
        natural_key=(),
        parent="client_id",
        rules=(
            not_before("opened_at", "resolved_at", "Opened", "Resolved"),
            resolved_matches_status,
        ),
    )
)
_register(
    EntitySpec(
        "feedback",
        "Feedback",
        "Feedback",
        Feedback,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("received_on", "Date", "date", required=True),
            F("kind", "Scale", "choice", required=True, vocabulary=FEEDBACK_KIND),
            F("score", "Score", "integer", required=True, minimum=0, maximum=10),
            F("comment", "Comment", "longtext"),
        ),
        natural_key=(),
        parent="client_id",
        rules=(score_in_scale,),
    )
)
_register(
    EntitySpec(
        "opportunity",
        "Opportunity",
        "Opportunities",
        Opportunity,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("name", "Opportunity", required=True, max_length=200),
            F("kind", "Kind", "choice", required=True, vocabulary=OPPORTUNITY_KIND),
            F("stage", "Stage", "choice", required=True, vocabulary=STAGE),
            F("value", "Value", "money", required=True, minimum=0),
            F(
                "probability",
                "Probability %",
                "integer",
                required=True,
                minimum=0,
                maximum=100,
                whole_percentage=True,
            ),
            F("expected_close", "Expected close", "date"),
            F("owner_id", "Owner", "person"),
            F("notes", "Notes", "longtext"),
        ),
        natural_key=("client_id", "name"),
        parent="client_id",
    )
)
_register(
    EntitySpec(
        "deadline",
        "Deadline",
        "Deadlines",
        Deadline,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("campaign_id", "Campaign", "reference", refers_to="campaign"),
            F("title", "Deadline", required=True, max_length=300),
            F("due_date", "Due", "date", required=True),
            F("legally_required", "Legal", "bool"),
            F("owner_id", "Owner", "person"),
            F("completed_on", "Completed", "date"),
            F("notes", "Notes", "longtext"),
        ),
        natural_key=(),
        parent="client_id",
        cascades=("material_item",),
    )
)
_register(
    EntitySpec(
        "material_item",
        "Material",
        "Materials",
        MaterialItem,
        (
            F("deadline_id", "Deadline", "reference", required=True, refers_to="deadline"),
            F("name", "Item", required=True, max_length=200),
            F("quantity", "Quantity", "count", minimum=0),
            F("status", "Status", "choice", required=True, vocabulary=MATERIAL_STATUS),
            F("status_on", "Since", "date"),
        ),
        natural_key=("deadline_id", "name"),
        parent="deadline_id",
    )
)
_register(
    EntitySpec(
        "meeting",
        "Meeting",
        "Meetings",
        Meeting,
        (
            F("client_id", "Client", "reference", required=True, refers_to="client"),
            F("held_on", "Date", "date", required=True),
            F("title", "Meeting", required=True, max_length=300),
            F("attendees", "Attendees", "longtext"),
            F("notes", "Notes", "longtext"),
            F("next_steps", "Next steps", "longtext"),
        ),
        natural_key=(),
        parent="client_id",
    )
)
_register(
    EntitySpec(
        "fx_rate",
        "Exchange rate",
        "Exchange rates",
        FxRate,
        (
            F("currency", "Currency", "currency", required=True),
            F("quote", "Into", "currency", required=True),
            F("month", "Month", "month", required=True),
            F("rate", "Rate", "rate", required=True, minimum=0),
        ),
        natural_key=("currency", "quote", "month"),
    )
)
_register(
    EntitySpec(
        "sales_objective",
        "Sales objective",
        "Sales objectives",
        SalesObjective,
        (
            F("director_id", "Account director", "person", required=True, role="account_director"),
            F("month", "Month", "month", required=True),
            F("currency", "Currency", "currency", required=True),
            F("revenue_objective", "Revenue objective", "money", required=True, minimum=0),
        ),
        natural_key=("director_id", "month"),
    )
)


def entity(name: str) -> EntitySpec:
    try:
        return ENTITIES[name]
    except KeyError:
        raise KeyError(f"no entity {name!r}") from None


def entity_for_table(table: str) -> EntitySpec | None:
    return next((spec for spec in ENTITIES.values() if spec.model.__tablename__ == table), None)
