"""Edits through the core: refused with the field named, and nothing stored changes."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portfolio import editing
from portfolio.errors import ConflictError, PortfolioError, ValidationError
from portfolio.model import BudgetLine, Campaign, Client, ClientRequest, TeamMember
from portfolio.money import SYMBOLS


def first_director(session) -> str:
    return session.scalars(
        select(TeamMember.name).where(TeamMember.role == "account_director").order_by(TeamMember.id)
    ).first()


def new_client(session, **changes):
    values = {
        "name": "Acme & Sons",
        "vertical": "Insurance & financial services",
        "status": "active",
        "director_id": first_director(session),
        "pricing_model": "Per sale",
        "currency": "usd",
    }
    values.update(changes)
    return editing.create(session, "client", values)


def snapshot(database) -> tuple:
    with database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Client)),
            session.scalar(select(func.sum(BudgetLine.spend_actual))),
            session.scalar(select(func.sum(BudgetLine.version))),
        )


@pytest.mark.parametrize(
    ("changes", "label", "reason"),
    [
        (
            {"contract_start": "2026-05-01", "contract_end": "2026-01-31"},
            "Contract end",
            "before the contract start",
        ),
        ({"currency": "XYZ"}, "Currency", "not an ISO 4217 currency code"),
        ({"vertical": "Aerospace"}, "Vertical", "not one of"),
        ({"name": "   "}, "Client", "is required"),
        ({"fiscal_year_start": 13}, "Fiscal year starts (month)", "at most 12"),
    ],
)
def test_bad_client_values_are_refused_naming_the_field(demo, changes, label, reason):
    before = snapshot(demo)
    with pytest.raises(ValidationError) as caught, demo.transaction() as session:
        new_client(session, **changes)
    assert str(caught.value).startswith(f"{label}: ")
    assert reason in str(caught.value)
    assert snapshot(demo) == before


def test_a_director_must_be_an_account_director(demo):
    with demo.session() as session:
        rep = session.scalars(
            select(TeamMember.name).where(TeamMember.role == "account_rep")
        ).first()
    with pytest.raises(ValidationError, match="^Account director: .* is not an account director"):
        with demo.transaction() as session:
            new_client(session, director_id=rep)


def test_a_client_name_is_unique(demo):
    with demo.session() as session:
        taken = session.scalars(select(Client.name).order_by(Client.id)).first()
    with pytest.raises(ValidationError, match="already exists"), demo.transaction() as session:
        new_client(session, name=taken)


def test_a_good_client_is_stored_with_parsed_values(demo):
    with demo.transaction() as session:
        client_id = new_client(session, contract_start="2026-01-01").id
    with demo.session() as session:
        client = session.get(Client, client_id)
        assert (client.vertical, client.pricing_model, client.currency) == (
            "insurance",
            "per_sale",
            "USD",
        )
        assert client.contract_start == dt.date(2026, 1, 1)
        assert client.fiscal_year_start == 1 and client.version == 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [("-5", "cannot be negative"), ("12.345", "more than"), ("lots", "not an amount")],
)
def test_bad_amounts_leave_the_budget_line_as_it_was(demo, value, reason):
    before = snapshot(demo)
    with pytest.raises(ValidationError) as caught, demo.transaction() as session:
        editing.update(session, "budget_line", 1, {"spend_actual": value})
    assert str(caught.value).startswith("Spend actual: ") and reason in str(caught.value)
    assert snapshot(demo) == before


def test_an_edit_returns_what_it_replaced_and_moves_the_version_on(demo):
    with demo.session() as session:
        line = session.get(BudgetLine, 1)
        old, version, currency = line.spend_actual, line.version, None
        currency = session.scalar(
            select(Client.currency).join(Campaign).where(Campaign.id == line.campaign_id)
        )
    # Typed with the line's own currency sign: a sign of another currency is refused.
    sign = SYMBOLS.get(currency, f"{currency} ")
    typed = f"{sign}1,234" if currency == "JPY" else f"{sign}1,234.50"
    with demo.transaction() as session:
        previous = editing.update(session, "budget_line", 1, {"spend_actual": typed})
    assert previous == {"spend_actual": old}
    with demo.session() as session:
        line = session.get(BudgetLine, 1)
        assert line.spend_actual == (1234 if currency == "JPY" else 123450)
        assert line.version == version + 1


def test_an_edit_based_on_a_stale_read_is_a_conflict(demo):
    from portfolio.actions import Action, Edit, perform

    with demo.session() as session:
        line = session.get(BudgetLine, 1)
    with demo.transaction() as session:
        editing.update(session, "budget_line", 1, {"spend_forecast": "100"})
    stale = Edit(
        "budget_line",
        1,
        {"spend_forecast": "200"},
        version=line.version,
        seen={"spend_forecast": line.spend_forecast},
    )
    with pytest.raises(ConflictError):
        perform(demo, Action("Edit", (stale,)))


def test_a_request_gets_its_sla_due_time_from_its_priority(demo):
    with demo.transaction() as session:
        request = editing.create(
            session,
            "client_request",
            {
                "client_id": 1,
                "category": "Billing",
                "priority": "High",
                "subject": "Invoice",
                "status": "open",
                "opened_at": "2026-11-02 09:30",
            },
        )
        request_id = request.id
    with demo.transaction() as session:
        editing.update(session, "client_request", request_id, {"priority": "critical"})
    with demo.session() as session:
        assert session.get(ClientRequest, request_id).sla_due_at == dt.datetime(2026, 11, 2, 13, 30)


def test_resolving_needs_a_resolution_time_after_opening(demo):
    with demo.transaction() as session:
        request_id = editing.create(
            session,
            "client_request",
            {
                "client_id": 1,
                "category": "service",
                "priority": "low",
                "subject": "Proof",
                "status": "open",
                "opened_at": "2026-11-02 09:30",
            },
        ).id
    with pytest.raises(ValidationError, match="^Resolved: "), demo.transaction() as session:
        editing.update(session, "client_request", request_id, {"status": "resolved"})
    with pytest.raises(ValidationError, match="before the opened"), demo.transaction() as session:
        editing.update(
            session,
            "client_request",
            request_id,
            {"status": "resolved", "resolved_at": "2026-11-01 10:00"},
        )


def test_deleting_a_client_spells_out_the_cascade_and_removes_it_all(demo):
    with demo.session() as session:
        campaigns = session.scalar(select(func.count()).where(Campaign.client_id == 1))
        lines = session.scalar(
            select(func.count())
            .select_from(BudgetLine)
            .join(Campaign)
            .where(Campaign.client_id == 1)
        )
        message = editing.deletion_message(session, "client", 1)
    assert f"{campaigns} campaigns" in message and f"{lines} budget lines" in message
    with demo.transaction() as session:
        editing.delete(session, "client", 1)
    with demo.session() as session:
        assert session.get(Client, 1) is None
        assert session.scalar(select(func.count()).where(Campaign.client_id == 1)) == 0


def test_duplicating_a_campaign_finds_a_free_name(demo):
    with demo.transaction() as session:
        first = editing.duplicate(session, "campaign", 1)
        second = editing.duplicate(session, "campaign", 1)
        original = session.get(Campaign, 1).name
        assert (first.name, second.name) == (f"{original} (copy)", f"{original} (copy 2)")


def test_a_make_up_action_must_name_a_campaign_of_its_client(demo):
    with demo.session() as session:
        other = session.scalar(select(Campaign.id).where(Campaign.client_id != 1).limit(1))
    with pytest.raises(PortfolioError, match="another client"), demo.transaction() as session:
        editing.create(
            session,
            "makeup_action",
            {
                "client_id": 1,
                "campaign_id": other,
                "measure": "spend",
                "action_type": "other",
                "description": "Cut list",
                "target_month": "2026-12",
                "amount": "500",
                "status": "planned",
            },
        )
