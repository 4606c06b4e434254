"""The make-up plan and the at-risk list, on a small book built for the purpose."""

import datetime as dt

import pytest
from sqlalchemy import select

from portfolio import editing
from portfolio.analytics.recovery import recovery_plan
from portfolio.analytics.risk import at_risk_clients
from portfolio.model import BudgetLine
from portfolio.periods import months_between
from tests.conftest import AS_OF, TODAY


def add_client(session, name, **extra):
    values = {
        "name": name,
        "vertical": "insurance",
        "status": "active",
        "director_id": "Dana",
        "pricing_model": "fixed_fee",
        "currency": "USD",
    }
    values.update(extra)
    return editing.create(session, "client", values).id


def add_lines(session, client_id, first, last, budget, actual, measure="spend"):
    campaign = editing.create(
        session,
        "campaign",
        {"client_id": client_id, "name": "Main", "channel": "direct_mail", "status": "active"},
    ).id
    for month in months_between(first, last):
        values = {"campaign_id": campaign, "month": month, f"{measure}_budget": budget}
        if month <= AS_OF:
            values[f"{measure}_actual"] = actual
        editing.create(session, "budget_line", values)
    return campaign


@pytest.fixture
def book(database):
    with database.transaction() as session:
        editing.create(session, "team_member", {"name": "Dana", "role": "account_director"})
        ids = {
            "over": add_client(session, "Over Spend Co"),
            "fiscal": add_client(session, "July Year Ltd", fiscal_year_start=7),
            "late": add_client(session, "Late Service Inc"),
            "renewing": add_client(
                session, "Renewing Soon plc", renewal_date=TODAY + dt.timedelta(days=30)
            ),
            "churned": add_client(
                session,
                "Gone Already",
                status="churned",
                renewal_date=TODAY + dt.timedelta(days=30),
            ),
            "unhappy": add_client(session, "Unhappy GmbH"),
            "healthy": add_client(
                session, "Healthy & Co", renewal_date=TODAY + dt.timedelta(days=200)
            ),
            "short": add_client(session, "Short Revenue SA"),
        }
        add_lines(session, ids["over"], 202601, 202612, "1000", "1200")
        add_lines(session, ids["fiscal"], 202507, 202606, "1000", "1100")
        add_lines(session, ids["healthy"], 202601, 202612, "1000", "990")
        add_lines(session, ids["short"], 202601, 202612, "5000", "4000", measure="revenue")
        editing.create(
            session,
            "makeup_action",
            {
                "client_id": ids["over"],
                "measure": "spend",
                "action_type": "spend_cut",
                "description": "Pause weak segments",
                "target_month": "2026-11",
                "amount": "500",
                "status": "planned",
            },
        )
        opened = dt.datetime.combine(TODAY, dt.time(9)) - dt.timedelta(days=20)
        for resolved_after_hours in (30, 10):
            editing.create(
                session,
                "client_request",
                {
                    "client_id": ids["late"],
                    "category": "billing",
                    "priority": "high",
                    "subject": "Invoice",
                    "status": "resolved",
                    "opened_at": opened,
                    "resolved_at": opened + dt.timedelta(hours=resolved_after_hours),
                },
            )
        editing.create(
            session,
            "client_request",
            {
                "client_id": ids["late"],
                "category": "service",
                "priority": "critical",
                "subject": "Rush",
                "status": "open",
                "opened_at": opened,
            },
        )
        for days_ago, score in ((300, 5), (200, 5), (100, 2), (10, 2)):
            editing.create(
                session,
                "feedback",
                {
                    "client_id": ids["unhappy"],
                    "received_on": TODAY - dt.timedelta(days=days_ago),
                    "kind": "csat",
                    "score": score,
                },
            )
    return database, ids


def test_recovery_spreads_each_shortfall_over_the_rest_of_its_fiscal_year(book):
    database, ids = book
    with database.session() as session:
        plan = {item.client_id: item for item in recovery_plan(session, as_of=AS_OF)}
    over = plan[ids["over"]]
    assert (over.ytd_budget, over.ytd_actual, over.shortfall) == (1_000_000, 1_200_000, 200_000)
    assert over.shortfall_pct == 20
    assert over.remaining_months == (202611, 202612)
    assert over.per_month == (100_000, 100_000) and sum(over.per_month) == over.shortfall
    assert (over.planned, over.uncovered) == (50_000, 150_000)
    # July-June year: year to date is Jul-Oct 2026, which has no lines, so nothing to make up.
    assert ids["fiscal"] not in plan
    assert ids["healthy"] not in plan


def test_recovery_of_revenue_counts_under_delivery(book):
    database, ids = book
    with database.session() as session:
        plan = recovery_plan(session, as_of=AS_OF, measure_name="revenue")
    assert [(item.client_id, item.shortfall) for item in plan] == [(ids["short"], 1_000_000)]


def test_recovery_when_the_year_is_over_has_no_months_left(book):
    database, ids = book
    with database.transaction() as session:
        for line in session.scalars(select(BudgetLine).where(BudgetLine.month > AS_OF)):
            editing.update(session, "budget_line", line.id, {"spend_actual": "1200"})
    with database.session() as session:
        plan = {item.client_id: item for item in recovery_plan(session, as_of=202612)}
    assert plan[ids["over"]].remaining_months == () and plan[ids["over"]].per_month == ()


def test_at_risk_clients_come_with_their_reasons(book):
    database, ids = book
    with database.session() as session:
        found = {
            entry.client_id: entry for entry in at_risk_clients(session, today=TODAY, as_of=AS_OF)
        }
    assert found[ids["over"]].kinds == ["variance"]
    assert "Spend 20.00% over budget" in found[ids["over"]].reasons[0].text
    assert found[ids["short"]].kinds == ["variance"]
    assert "Revenue 20.00% under budget" in found[ids["short"]].reasons[0].text
    assert found[ids["late"]].kinds == ["sla"]
    assert found[ids["late"]].reasons[0].text.startswith("2 requests missed SLA")
    assert "1 still open" in found[ids["late"]].reasons[0].text
    assert found[ids["renewing"]].kinds == ["renewal"]
    assert "in 30 days" in found[ids["renewing"]].reasons[0].text
    assert found[ids["unhappy"]].kinds == ["satisfaction"]
    assert "100 -> 25" in found[ids["unhappy"]].reasons[0].text
    assert ids["healthy"] not in found and ids["churned"] not in found
