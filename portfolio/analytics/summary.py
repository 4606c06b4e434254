"""One client's position: the facts, the year so far, the make-up plan and the service side.

The command line prints it; review decks and the client page build on the same object,
so a figure reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.analytics.campaign_results import READS as CAMPAIGN_RESULTS_READS
from portfolio.analytics.campaign_results import CampaignResult, campaign_results
from portfolio.analytics.dimensions import Scope
from portfolio.analytics.missing_actuals import MissingActuals, missing_actuals
from portfolio.analytics.recovery import READS as RECOVERY_READS
from portfolio.analytics.recovery import RecoveryItem, recovery_plan
from portfolio.analytics.service_levels import READS as SERVICE_LEVELS_READS
from portfolio.analytics.service_levels import SlaRow, sla_compliance
from portfolio.analytics.variance import READS as VARIANCE_READS
from portfolio.analytics.variance import VarianceRow, variance_rollup
from portfolio.model import (
    Client,
    ClientRequest,
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
    CLIENT_STATUS,
    CLOSED_STAGES,
    DONE_REQUEST_STATUSES,
    OPPORTUNITY_KIND,
    PRICING_MODEL,
    STAGE,
    VERTICAL,
)
from portfolio.money import format_money, from_minor
from portfolio.periods import Period, fiscal_year_of, month_key, year_to_date

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = (
    frozenset(
        {
            "client_request",
            "deadline",
            "feedback",
            "makeup_action",
            "material_item",
            "meeting",
            "opportunity",
            "team_member",
        }
    )
    | CAMPAIGN_RESULTS_READS
    | RECOVERY_READS
    | SERVICE_LEVELS_READS
    | VARIANCE_READS
)

MEASURE_NAMES = ("spend", "revenue", "sales")


@dataclass
class ClientSummary:
    client_id: int
    name: str
    facts: dict[str, str]
    currency: str
    as_of: int
    ytd: Period
    year: Period
    #: Year to date and full (fiscal) year figures, by measure.
    ytd_figures: dict[str, VarianceRow | None]
    year_figures: dict[str, VarianceRow | None]
    #: Year-to-date monthly figures for the chart: measure -> [(month, row)].
    monthly: dict[str, list[VarianceRow]]
    recovery: list[RecoveryItem]
    actions: list[dict]
    campaigns: list[CampaignResult]
    sla: SlaRow | None
    requests_by_category: list[SlaRow]
    open_requests: list[dict]
    satisfaction: list[dict]
    opportunities: list[dict]
    deadlines: list[dict]
    last_meeting: dict | None
    notes: list[str] = field(default_factory=list)
    #: Closed months of the (fiscal) year whose lines have no actual yet (counted as 0).
    missing: MissingActuals = field(default_factory=MissingActuals)

    def money(self, minor: int | None) -> str:
        return format_money(minor, self.currency)

    def as_dict(self) -> dict:
        """JSON-ready: money as exact decimal strings in the client's currency."""

        def amount(minor: int | None) -> str | None:
            return None if minor is None else str(from_minor(minor, self.currency))

        def figures(row: VarianceRow | None, money: bool) -> dict | None:
            if row is None:
                return None
            convert = amount if money else (lambda value: value)
            return {
                "budget": convert(row.budget),
                "forecast": convert(row.forecast),
                "actual": convert(row.actual),
                "outlook": convert(row.outlook),
                "variance": convert(row.variance),
                "variance_pct": None if row.variance_pct is None else str(row.variance_pct),
                "favourable": row.favourable,
            }

        return {
            "client": self.name,
            "currency": self.currency,
            "facts": self.facts,
            "as_of": month_key(self.as_of),
            "year_to_date": {m: figures(self.ytd_figures[m], m != "sales") for m in MEASURE_NAMES},
            "full_year": {m: figures(self.year_figures[m], m != "sales") for m in MEASURE_NAMES},
            "recovery": [
                {
                    "group": item.group,
                    "measure": item.measure,
                    "shortfall": amount(item.shortfall) if item.currency else item.shortfall,
                    "planned": amount(item.planned) if item.currency else item.planned,
                    "per_month": {
                        month_key(m): amount(v) if item.currency else v
                        for m, v in zip(item.remaining_months, item.per_month, strict=True)
                    },
                }
                for item in self.recovery
            ],
            "actions": [{**action, "amount": amount(action["amount"])} for action in self.actions],
            "sla_compliance_pct": None
            if self.sla is None or self.sla.compliance_pct is None
            else str(self.sla.compliance_pct),
            "open_requests": len(self.open_requests),
            "satisfaction": [
                {**reading, "date": reading["date"].isoformat()} for reading in self.satisfaction
            ],
            "opportunities": [
                {**o, "value": amount(o["value"]), "expected_close": _iso(o["expected_close"])}
                for o in self.opportunities
            ],
            "deadlines": [{**d, "due": d["due"].isoformat()} for d in self.deadlines],
            "next_steps": self.last_meeting["next_steps"] if self.last_meeting else None,
            "lines_without_actuals": {m: self.missing.lines(m) for m in MEASURE_NAMES},
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def client_summary(
    session: Session, client: Client, *, as_of: int, today: dt.date
) -> ClientSummary:
    scope = Scope(client_ids=(client.id,))
    year = fiscal_year_of(as_of, client.fiscal_year_start)
    ytd = year_to_date(as_of, client.fiscal_year_start)
    people = dict(session.execute(select(TeamMember.id, TeamMember.name)).all())

    def total(period: Period, measure_name: str) -> VarianceRow | None:
        rollup = variance_rollup(
            session,
            by=("client",),
            period=period,
            as_of=as_of,
            measure_name=measure_name,
            scope=scope,
        )
        return rollup.rows[0] if rollup.rows else None

    def monthly(measure_name: str) -> list[VarianceRow]:
        return variance_rollup(
            session,
            by=("month",),
            period=year,
            as_of=as_of,
            measure_name=measure_name,
            scope=scope,
        ).rows

    recovery = [
        item
        for measure_name in ("spend", "revenue")
        for item in recovery_plan(
            session, as_of=as_of, measure_name=measure_name, level="campaign", scope=scope
        )
    ]
    now = dt.datetime.combine(today, dt.time.max)
    since = now - dt.timedelta(days=90)
    sla = sla_compliance(session, since=since, now=now, scope=scope)
    by_category = sla_compliance(session, since=since, now=now, by="category", scope=scope)

    actions = [
        {
            "description": action.description,
            "type": ACTION_TYPE.label(action.action_type),
            "measure": action.measure,
            "owner": people.get(action.owner_id, ""),
            "target_month": month_key(action.target_month),
            "amount": action.amount,
            "status": ACTION_STATUS.label(action.status),
        }
        for action in session.scalars(
            select(MakeupAction)
            .where(MakeupAction.client_id == client.id)
            .order_by(MakeupAction.target_month, MakeupAction.id)
        )
    ]
    open_requests = [
        {
            "subject": request.subject,
            "category": request.category,
            "priority": request.priority,
            "due": request.sla_due_at,
            "overdue": request.sla_due_at < now,
            "escalation": request.escalation_level,
        }
        for request in session.scalars(
            select(ClientRequest)
            .where(
                ClientRequest.client_id == client.id,
                ClientRequest.status.not_in(DONE_REQUEST_STATUSES),
            )
            .order_by(ClientRequest.sla_due_at)
        )
    ]
    satisfaction = [
        {
            "date": reading.received_on,
            "kind": reading.kind,
            "score": reading.score,
            "comment": reading.comment,
        }
        for reading in session.scalars(
            select(Feedback)
            .where(Feedback.client_id == client.id, Feedback.received_on <= today)
            .order_by(Feedback.received_on, Feedback.id)
        )
    ]
    opportunities = [
        {
            "name": o.name,
            "kind": OPPORTUNITY_KIND.label(o.kind),
            "stage": STAGE.label(o.stage),
            "value": o.value,
            "probability": o.probability,
            "expected_close": o.expected_close,
        }
        for o in session.scalars(
            select(Opportunity)
            .where(Opportunity.client_id == client.id, Opportunity.stage.not_in(CLOSED_STAGES))
            .order_by(Opportunity.expected_close, Opportunity.name)
        )
    ]
    deadlines = []
    due = session.scalars(
        select(Deadline)
        .where(
            Deadline.client_id == client.id,
            Deadline.completed_on.is_(None),
            Deadline.due_date <= today + dt.timedelta(days=45),
        )
        .order_by(Deadline.due_date)
    ).all()
    # One query for every deadline's materials, not one per deadline (issue 13: each
    # query is a round trip, 20-60 ms over a VPN).
    materials_of: dict[int, list[tuple[str, str]]] = {}
    if due:
        for deadline_id, name, status in session.execute(
            select(MaterialItem.deadline_id, MaterialItem.name, MaterialItem.status)
            .where(MaterialItem.deadline_id.in_([d.id for d in due]))
            .order_by(MaterialItem.deadline_id, MaterialItem.name)
        ):
            materials_of.setdefault(deadline_id, []).append((name, status))
    for deadline in due:
        materials = materials_of.get(deadline.id, [])
        deadlines.append(
            {
                "title": deadline.title,
                "due": deadline.due_date,
                "legal": deadline.legally_required,
                "overdue": deadline.due_date < today,
                "materials": [f"{name}: {status}" for name, status in materials],
            }
        )
    meeting = session.scalars(
        select(Meeting)
        .where(Meeting.client_id == client.id, Meeting.held_on <= today)
        .order_by(Meeting.held_on.desc())
        .limit(1)
    ).first()

    facts = {
        "Vertical": VERTICAL.label(client.vertical),
        "Status": CLIENT_STATUS.label(client.status),
        "Account director": people.get(client.director_id, ""),
        "Account rep": people.get(client.rep_id, "") if client.rep_id else "",
        "Currency": client.currency,
        "Contract": f"{_iso(client.contract_start) or '?'} to {_iso(client.contract_end) or '?'}",
        "Renewal": _iso(client.renewal_date) or "",
        "Pricing": PRICING_MODEL.label(client.pricing_model),
        "Compensation": client.compensation_terms or "",
        "Fiscal year": year.label,
    }
    return ClientSummary(
        client_id=client.id,
        name=client.name,
        facts=facts,
        currency=client.currency,
        as_of=as_of,
        ytd=ytd,
        year=year,
        ytd_figures={m: total(ytd, m) for m in MEASURE_NAMES},
        year_figures={m: total(year, m) for m in MEASURE_NAMES},
        monthly={m: monthly(m) for m in MEASURE_NAMES},
        recovery=recovery,
        actions=actions,
        campaigns=campaign_results(session, period=ytd, as_of=as_of, scope=scope),
        sla=sla[0] if sla and sla[0].due else None,
        requests_by_category=by_category,
        open_requests=open_requests,
        satisfaction=satisfaction,
        opportunities=opportunities,
        deadlines=deadlines,
        last_meeting=None
        if meeting is None
        else {"held_on": meeting.held_on, "title": meeting.title, "next_steps": meeting.next_steps},
        missing=missing_actuals(session, year, as_of, scope),
    )


def render_summary(summary: ClientSummary) -> str:
    """The summary as plain text for a terminal."""
    lines = [summary.name, "=" * len(summary.name)]
    width = max(len(key) for key in summary.facts)
    lines += [f"{key:<{width}}  {value}" for key, value in summary.facts.items()]
    lines += [
        "",
        f"Year to date ({summary.ytd.label}) and full-year outlook ({summary.year.label})",
    ]
    for m in MEASURE_NAMES:
        ytd, year = summary.ytd_figures[m], summary.year_figures[m]
        if ytd is None and year is None:
            continue
        show = summary.money if m != "sales" else (lambda value: f"{value:,}")
        parts = [f"  {m.capitalize():<8}"]
        if ytd is not None:
            mark = "" if ytd.favourable else "  (unfavourable)"
            pct = f" ({ytd.variance_pct:+}%)" if ytd.variance_pct is not None else ""
            parts.append(
                f"YTD actual {show(ytd.actual)} vs budget {show(ytd.budget)}: "
                f"{show(ytd.variance)}{pct}{mark}"
            )
        if year is not None:
            parts.append(f"; year outlook {show(year.outlook)} vs budget {show(year.budget)}")
        lines.append("".join(parts))
    note = summary.missing.note(*MEASURE_NAMES)
    if note is not None:
        lines.append(f"  Note: {note}")
    if summary.recovery:
        lines += ["", "To make up"]
        for item in summary.recovery:
            show = summary.money if item.currency else (lambda value: f"{value:,}")
            per_month = (
                ", ".join(
                    f"{month_key(m)} {show(v)}"
                    for m, v in zip(item.remaining_months, item.per_month, strict=True)
                )
                or "no months left this year"
            )
            lines.append(
                f"  {item.label}: {item.measure} {show(item.shortfall)} "
                f"({item.shortfall_pct}% of budget); per month: {per_month}"
            )
    if summary.actions:
        lines += ["", "Make-up actions"]
        for action in summary.actions:
            lines.append(
                f"  {action['target_month']}  {action['description']} ({action['owner']}, "
                f"{action['status']}): {summary.money(action['amount'])}"
            )
    lines += ["", "Service"]
    if summary.sla is not None:
        lines.append(
            f"  SLA compliance, last 90 days: {summary.sla.compliance_pct}% "
            f"({summary.sla.met} of {summary.sla.due} met)"
        )
    lines.append(f"  Open requests: {len(summary.open_requests)}")
    if summary.satisfaction:
        latest = summary.satisfaction[-1]
        lines.append(
            f"  Latest satisfaction: {latest['kind'].upper()} {latest['score']} "
            f"on {latest['date'].isoformat()}"
        )
    if summary.opportunities:
        lines += ["", "Open opportunities"]
        for o in summary.opportunities:
            lines.append(
                f"  {o['name']} ({o['kind']}, {o['stage']}, {o['probability']}%): "
                f"{summary.money(o['value'])}, close {_iso(o['expected_close']) or '?'}"
            )
    if summary.deadlines:
        lines += ["", "Deadlines (next 45 days and overdue)"]
        for d in summary.deadlines:
            flags = " [LEGAL]" if d["legal"] else ""
            flags += " [OVERDUE]" if d["overdue"] else ""
            lines.append(f"  {d['due'].isoformat()}  {d['title']}{flags}")
    if summary.last_meeting and summary.last_meeting["next_steps"]:
        lines += [
            "",
            f"Next steps from {summary.last_meeting['held_on'].isoformat()}: "
            f"{summary.last_meeting['next_steps']}",
        ]
    return "\n".join(lines) + "\n"
