"""Issue 14 on a team server with logins (issue 13): the server's permissions hold for
what a sync sends.

A rep takes their client offline, then changes a forecast (theirs to change) and a
budget of a year the manager locked (not theirs to change). The sync sends the one,
reports the other by record in the server's words, and keeps it in the copy, as typed,
for the rep to deal with; syncing again loses nothing and sends nothing twice.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.actions import Action, Edit, perform
from portfolio.cli import main
from portfolio.model import BudgetLine, Campaign, JournalEntry
from portfolio.storage import open_database
from portfolio.sync.book import Scope
from portfolio.sync.checkout import checkout
from portfolio.sync.merge import resolver
from portfolio.sync.run import sync
from tests.conftest import PG_URL
from tests.core.test_team_access import team  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PORTFOLIO_TEST_PG_URL")


def budget_line_name(db, line_id: int) -> str:
    from portfolio.naming import RecordNames

    with db.session() as session:
        row = session.execute(select(BudgetLine.__table__).where(BudgetLine.id == line_id))
        return RecordNames(session).of("budget_line", dict(row.mappings().one())).record


def _two_lines(db, client_id: int) -> list[BudgetLine]:
    with db.session() as session:
        return list(
            session.scalars(
                select(BudgetLine)
                .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                .where(Campaign.client_id == client_id)
                .order_by(BudgetLine.id)
                .limit(2)
            )
        )


def test_a_change_the_server_refuses_is_reported_and_kept_in_the_copy(team, tmp_path):  # noqa: F811
    assert main(["team", "lock-budgets", "--db", team.url, "--year", "2030"]) == 0
    rep_server = team.open("rep")
    path = tmp_path / "rep.sqlite3"
    checkout(rep_server, Scope(client_ids=(team.mine,)), path)
    laptop = open_database(path)
    try:
        budget_line, forecast_line = _two_lines(laptop, team.mine)
        perform(
            laptop,
            Action(
                "Edit",
                (
                    Edit("budget_line", budget_line.id, {"spend_budget": "99.00"}),
                    Edit("budget_line", forecast_line.id, {"spend_forecast": "5.00"}),
                ),
            ),
        )

        report = sync(laptop, rep_server)

        assert list(report.refused) == [("budget_line", budget_line.id)]
        refusal = report.refused[("budget_line", budget_line.id)]
        assert "locked" in refusal
        assert refusal.startswith(budget_line_name(laptop, budget_line.id))  # which record
        assert any("Refused by the server" in line for line in report.lines())
        assert report.waiting == 1
        with rep_server.session() as session:
            there = {line.id: line for line in session.scalars(select(BudgetLine))}
            assert there[forecast_line.id].spend_forecast == 500
            assert there[budget_line.id].spend_budget == budget_line.spend_budget
            # The forecast's journal entry is the rep's, as the server itself names it.
            entry = session.scalars(
                select(JournalEntry).where(JournalEntry.origin.is_not(None))
            ).one()
            assert entry.login == team.logins["rep"]
        with laptop.session() as session:
            assert session.get(BudgetLine, budget_line.id).spend_budget == 9900  # kept

        again = sync(laptop, rep_server)
        assert list(again.refused) == [("budget_line", budget_line.id)]
        with rep_server.session() as session:
            assert (
                session.scalar(
                    select(JournalEntry.id).where(JournalEntry.origin.is_not(None)).offset(1)
                )
                is None
            )  # the forecast was not sent twice
        with laptop.session() as session:
            assert session.get(BudgetLine, budget_line.id).spend_budget == 9900

        # Regression (found trying it as a user): a refused change could never be let
        # go. "Keep theirs" lets it go: the server's value comes back, nothing waits.
        last = sync(laptop, rep_server, resolve=resolver(default="theirs"))
        assert not last.refused and last.let_go == 1 and last.waiting == 0
        assert any("Let go 1 change the server refused" in line for line in last.lines())
        with laptop.session() as session:
            assert session.get(BudgetLine, budget_line.id).spend_budget == (
                budget_line.spend_budget
            )
            assert session.get(BudgetLine, forecast_line.id).spend_forecast == 500
    finally:
        laptop.close()
        rep_server.close()
