"""At-risk clients, each with the reasons a director would want to hear first.

A client is at risk when any of these holds (thresholds in ``RiskRules``):

* year-to-date spend over budget, or revenue under budget, by more than the threshold;
* requests that missed their SLA in the look-back window, or are open past it;
* a renewal date within the renewal window;
* falling satisfaction: the mean of the two latest readings is lower than the mean of
  the two before by the threshold or more (CSAT and NPS put on one 0-100 scale).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Director, Scope
from portfolio.analytics.recovery import READS as RECOVERY_READS
from portfolio.analytics.recovery import recovery_plan
from portfolio.model import Client, ClientRequest, Feedback
from portfolio.periods import month_label

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"client_request", "feedback"}) | DIMENSIONS_READS | RECOVERY_READS

ACTIVE_STATUSES = ("onboarding", "active", "paused")


@dataclass(frozen=True)
class RiskRules:
    variance_pct: Decimal = Decimal(10)
    renewal_days: int = 90
    sla_lookback_days: int = 90
    satisfaction_drop: Decimal = Decimal(10)


@dataclass(frozen=True)
class RiskReason:
    kind: str  # variance | sla | renewal | satisfaction
    text: str


@dataclass
class AtRiskClient:
    client_id: int
    client: str
    director: str
    reasons: list[RiskReason] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [reason.kind for reason in self.reasons]


def satisfaction_points(kind, score):
    """SQL: a CSAT (1-5) or NPS (0-10) score on a 0-100 scale."""
    return case((kind == "csat", (score - 1) * 25), else_=score * 10)


def at_risk_clients(
    session: Session,
    *,
    today: dt.date,
    as_of: int,
    rules: RiskRules = RiskRules(),
    scope: Scope = Scope(),
) -> list[AtRiskClient]:
    clients = _clients(session, scope)
    found: dict[int, AtRiskClient] = {}

    def flag(client_id: int, kind: str, text: str) -> None:
        if client_id not in clients:
            return
        name, director = clients[client_id]
        entry = found.setdefault(client_id, AtRiskClient(client_id, name, director))
        entry.reasons.append(RiskReason(kind, text))

    for measure_name, verb in (("spend", "over"), ("revenue", "under")):
        for item in recovery_plan(session, as_of=as_of, measure_name=measure_name, scope=scope):
            pct = item.shortfall_pct
            if pct is not None and pct >= rules.variance_pct:
                flag(
                    item.client_id,
                    "variance",
                    f"{measure_name.capitalize()} {pct}% {verb} budget, year to date "
                    f"(to {month_label(as_of)})",
                )

    now = dt.datetime.combine(today, dt.time.max)
    since = now - dt.timedelta(days=rules.sla_lookback_days)
    late = or_(
        ClientRequest.resolved_at > ClientRequest.sla_due_at,
        and_(ClientRequest.resolved_at.is_(None), ClientRequest.sla_due_at < now),
    )
    open_late = and_(ClientRequest.resolved_at.is_(None), ClientRequest.sla_due_at < now)
    sla_rows = session.execute(
        select(
            ClientRequest.client_id,
            func.count(),
            func.sum(case((open_late, 1), else_=0)),
        )
        .where(late, ClientRequest.sla_due_at >= since)
        .group_by(ClientRequest.client_id)
    ).all()
    for client_id, missed, still_open in sla_rows:
        plural = "request" if missed == 1 else "requests"
        tail = f" ({still_open} still open)" if still_open else ""
        flag(
            client_id,
            "sla",
            f"{missed} {plural} missed SLA in the last {rules.sla_lookback_days} days{tail}",
        )

    horizon = today + dt.timedelta(days=rules.renewal_days)
    for client_id, renewal in session.execute(
        select(Client.id, Client.renewal_date).where(Client.renewal_date.between(today, horizon))
    ):
        days = (renewal - today).days
        flag(client_id, "renewal", f"Renewal due {renewal.isoformat()} (in {days} days)")

    for client_id, latest, earlier in _satisfaction_trend(session, today):
        if earlier - latest >= rules.satisfaction_drop:
            flag(
                client_id,
                "satisfaction",
                f"Satisfaction falling: {earlier:.0f} -> {latest:.0f} of 100 "
                "(two latest readings against the two before)",
            )

    order = {"variance": 0, "sla": 1, "satisfaction": 2, "renewal": 3}
    for entry in found.values():
        entry.reasons.sort(key=lambda reason: order[reason.kind])
    return sorted(found.values(), key=lambda entry: (-len(entry.reasons), entry.client))


def _clients(session: Session, scope: Scope) -> dict[int, tuple[str, str]]:
    query = (
        select(Client.id, Client.name, Director.name)
        .join(Director, Director.id == Client.director_id)
        .where(Client.status.in_(ACTIVE_STATUSES))
    )
    query = scope.apply(query)
    return {client_id: (name, director) for client_id, name, director in session.execute(query)}


def _satisfaction_trend(session: Session, today: dt.date) -> list[tuple[int, Decimal, Decimal]]:
    """(client, mean of two latest readings, mean of the two before), on a 0-100 scale."""
    ranked = (
        select(
            Feedback.client_id,
            satisfaction_points(Feedback.kind, Feedback.score).label("points"),
            func.row_number()
            .over(
                partition_by=Feedback.client_id,
                order_by=(Feedback.received_on.desc(), Feedback.id.desc()),
            )
            .label("rank"),
        )
        .where(Feedback.received_on <= today)
        .subquery()
    )
    recent = ranked.c.rank <= 2
    query = (
        select(
            ranked.c.client_id,
            func.sum(case((recent, ranked.c.points), else_=0)),
            func.sum(case((recent, 0), else_=ranked.c.points)),
            func.count(),
        )
        .where(ranked.c.rank <= 4)
        .group_by(ranked.c.client_id)
        .having(func.count() == 4)
    )
    return [
        (client_id, Decimal(int(latest)) / 2, Decimal(int(earlier)) / 2)
        for client_id, latest, earlier, _count in session.execute(query)
    ]
