"""Integrity lives in the schema: a SQL shell cannot store what the app would refuse."""

import datetime as dt

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from portfolio.model import (
    BudgetLine,
    Campaign,
    Client,
    ClientRequest,
    Feedback,
    MakeupAction,
    TeamMember,
)


@pytest.fixture
def book(database):
    """One director, two clients, one campaign each: enough to break rules against."""
    with database.engine.begin() as connection:
        connection.execute(
            insert(TeamMember), [{"id": 1, "name": "Dana", "role": "account_director"}]
        )
        connection.execute(
            insert(Client),
            [
                {
                    "id": 1,
                    "name": "Acme",
                    "vertical": "insurance",
                    "status": "active",
                    "director_id": 1,
                    "pricing_model": "fixed_fee",
                    "currency": "USD",
                },
                {
                    "id": 2,
                    "name": "Zeta",
                    "vertical": "banking",
                    "status": "active",
                    "director_id": 1,
                    "pricing_model": "fixed_fee",
                    "currency": "EUR",
                },
            ],
        )
        connection.execute(
            insert(Campaign),
            [
                {"id": 1, "client_id": 1, "name": "Spring", "channel": "email", "status": "active"},
                {"id": 2, "client_id": 2, "name": "Spring", "channel": "email", "status": "active"},
            ],
        )
        connection.execute(insert(BudgetLine), [{"campaign_id": 1, "month": 202601}])
    return database


BAD_ROWS = {
    "negative spend": (BudgetLine, {"campaign_id": 1, "month": 202602, "spend_budget": -1}),
    "month 13": (BudgetLine, {"campaign_id": 1, "month": 202613}),
    "second line for a month": (BudgetLine, {"campaign_id": 1, "month": 202601}),
    "campaign name twice in a client": (
        Campaign,
        {"client_id": 1, "name": "Spring", "channel": "email", "status": "active"},
    ),
    "end before start": (
        Campaign,
        {
            "client_id": 1,
            "name": "Back",
            "channel": "email",
            "status": "active",
            "start_date": dt.date(2026, 5, 1),
            "end_date": dt.date(2026, 4, 1),
        },
    ),
    "unknown channel": (
        Campaign,
        {"client_id": 1, "name": "Fax", "channel": "fax", "status": "active"},
    ),
    "unknown currency": (
        Client,
        {
            "name": "Nowhere",
            "vertical": "other",
            "status": "active",
            "director_id": 1,
            "pricing_model": "fixed_fee",
            "currency": "XYZ",
        },
    ),
    "client name twice": (
        Client,
        {
            "name": "Acme",
            "vertical": "other",
            "status": "active",
            "director_id": 1,
            "pricing_model": "fixed_fee",
            "currency": "USD",
        },
    ),
    "blank client name": (
        Client,
        {
            "name": "  ",
            "vertical": "other",
            "status": "active",
            "director_id": 1,
            "pricing_model": "fixed_fee",
            "currency": "USD",
        },
    ),
    "no such director": (
        Client,
        {
            "name": "Orphan",
            "vertical": "other",
            "status": "active",
            "director_id": 99,
            "pricing_model": "fixed_fee",
            "currency": "USD",
        },
    ),
    "CSAT of 7": (
        Feedback,
        {"client_id": 1, "received_on": dt.date(2026, 1, 1), "kind": "csat", "score": 7},
    ),
    "resolved request without a resolution time": (
        ClientRequest,
        {
            "client_id": 1,
            "category": "billing",
            "priority": "low",
            "subject": "x",
            "status": "resolved",
            "opened_at": dt.datetime(2026, 1, 1),
            "sla_due_at": dt.datetime(2026, 1, 8),
        },
    ),
    "make-up action on another client's campaign": (
        MakeupAction,
        {
            "client_id": 1,
            "campaign_id": 2,
            "measure": "spend",
            "action_type": "other",
            "description": "x",
            "target_month": 202612,
            "amount": 100,
            "status": "planned",
        },
    ),
    "make-up action of nothing": (
        MakeupAction,
        {
            "client_id": 1,
            "measure": "spend",
            "action_type": "other",
            "description": "x",
            "target_month": 202612,
            "amount": 0,
            "status": "planned",
        },
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_the_database_refuses(book, case):
    model, row = BAD_ROWS[case]
    with pytest.raises(IntegrityError), book.engine.begin() as connection:
        connection.execute(insert(model), [row])


def test_deleting_a_client_cascades_to_its_campaigns_and_lines(book):
    with book.engine.begin() as connection:
        connection.execute(text("DELETE FROM client WHERE id = 1"))
        assert connection.execute(text("SELECT COUNT(*) FROM campaign")).scalar() == 1
        assert connection.execute(text("SELECT COUNT(*) FROM budget_line")).scalar() == 0


def test_a_director_with_clients_cannot_be_deleted(book):
    with pytest.raises(IntegrityError), book.engine.begin() as connection:
        connection.execute(text("DELETE FROM team_member WHERE id = 1"))
