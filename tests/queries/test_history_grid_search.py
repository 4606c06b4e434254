"""Undo support, the budget grid and quick search, on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from portfolio.actions import Action, Create, Delete, Edit, EditConflictError, perform, undo
from portfolio.editing import update
from portfolio.editing.cascade import capture
from portfolio.editing.operations import as_input
from portfolio.model import BudgetLine, Campaign, Client, TeamMember
from portfolio.queries.budget_grid import load_grid, steps_for
from portfolio.queries.search import quick_search
from tests.conftest import AS_OF

TABLES = (
    "client",
    "campaign",
    "budget_line",
    "client_request",
    "feedback",
    "contact",
    "deadline",
    "material_item",
    "makeup_action",
    "meeting",
    "opportunity",
    "campaign_drop",
)


def fingerprint(database) -> dict:
    with database.engine.connect() as connection:
        return {
            table: tuple(
                connection.execute(
                    text(
                        "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(version), 0) "
                        f"FROM {table}"
                    )
                ).one()
            )
            for table in TABLES
        }


def test_a_deleted_client_comes_back_whole(demo):
    before = fingerprint(demo)
    with demo.session() as session:
        client_id = session.scalar(select(Client.id).order_by(Client.id).limit(1))
        assert capture(session, "client", client_id).count > 100
    done = perform(demo, Action("Delete client", (Delete("client", client_id),)))
    assert fingerprint(demo) != before
    undo(demo, done.entry_id)
    assert fingerprint(demo) == before


def test_references_cleared_by_a_delete_are_put_back(demo):
    with demo.session() as session:
        rep = session.scalars(
            select(TeamMember).where(TeamMember.role == "account_rep").order_by(TeamMember.id)
        ).first()
        clients = set(session.scalars(select(Client.id).where(Client.rep_id == rep.id)))
    assert clients
    done = perform(demo, Action("Delete rep", (Delete("team_member", rep.id),)))
    with demo.session() as session:
        assert not session.scalar(select(func.count()).where(Client.rep_id == rep.id))
    undo(demo, done.entry_id)
    with demo.session() as session:
        assert set(session.scalars(select(Client.id).where(Client.rep_id == rep.id))) == clients


def test_as_input_turns_minor_units_back_into_amounts(demo):
    with demo.transaction() as session:
        line = session.scalars(select(BudgetLine).order_by(BudgetLine.id)).first()
        original = line.spend_budget
        previous = update(session, "budget_line", line.id, {"spend_budget": "1234.56"})
        from portfolio.editing import entity

        typed = as_input(session, entity("budget_line"), line.id, previous)
        assert typed == {"spend_budget": Decimal(original).scaleb(-2).quantize(Decimal("0.01"))}
        update(session, "budget_line", line.id, typed)
        assert line.spend_budget == original


def test_grid_matches_the_lines_and_worked_out_rows(demo):
    with demo.session() as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.id)).first()
        grid = load_grid(
            session, client_id=campaign.client_id, campaign_id=campaign.id, as_of=AS_OF
        )
        lines = {
            line.month: line
            for line in session.scalars(
                select(BudgetLine).where(BudgetLine.campaign_id == campaign.id)
            )
        }
    closed = [m for m in grid.months if m <= AS_OF and m in lines]
    open_ = [m for m in grid.months if m > AS_OF and m in lines]
    assert closed and open_
    month = closed[0]
    assert grid.value("spend", "budget", month) == lines[month].spend_budget
    assert grid.value("spend", "outlook", month) == (lines[month].spend_actual or 0)
    later = open_[0]
    assert grid.value("spend", "outlook", later) == lines[later].spend_forecast
    assert grid.value("revenue", "variance", later) == (
        lines[later].revenue_forecast - lines[later].revenue_budget
    )
    assert grid.total("spend", "budget") == sum(
        lines[m].spend_budget for m in grid.months if m in lines
    )


def test_grid_changes_group_by_month_and_create_missing_lines(demo):
    with demo.session() as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.id)).first()
        grid = load_grid(
            session, client_id=campaign.client_id, campaign_id=campaign.id, as_of=AS_OF
        )
    missing = [m for m in grid.months if m not in grid.line_ids]
    present = [m for m in grid.months if m in grid.line_ids]
    cells = [("spend", "budget", present[0], "10"), ("spend", "forecast", present[0], "11")]
    if missing:
        cells.append(("revenue", "budget", missing[0], "5"))
    steps = steps_for(grid, cells)
    assert isinstance(steps[0], Edit) and steps[0].row_id == grid.line_ids[present[0]]
    assert steps[0].values == {"spend_budget": "10", "spend_forecast": "11"}
    # Based on what the grid showed, for the conflict check.
    assert steps[0].version == grid.line_versions[present[0]]
    assert steps[0].seen == {
        "spend_budget": grid.value("spend", "budget", present[0]),
        "spend_forecast": grid.value("spend", "forecast", present[0]),
    }
    if missing:
        assert isinstance(steps[-1], Create)
        assert steps[-1].values["campaign_id"] == campaign.id
    with pytest.raises(ValueError, match="worked out"):
        steps_for(grid, [("spend", "variance", present[0], "1")])


def test_client_grid_sums_campaigns_and_is_read_only(demo):
    with demo.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        grid = load_grid(session, client_id=client.id, as_of=AS_OF)
        month = grid.months[0]
        expected = session.scalar(
            select(func.sum(BudgetLine.spend_budget))
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .where(Campaign.client_id == client.id, BudgetLine.month == month)
        )
    assert grid.value("spend", "budget", month) == expected
    assert not grid.editable
    with pytest.raises(ValueError):
        steps_for(grid, [("spend", "budget", month, "1")])


def test_quick_search_needs_every_word(demo):
    with demo.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        word = client.name.split()[0]
        hits = quick_search(session, word)
        assert any(hit.kind == "client" and hit.id == client.id for hit in hits)
        assert all(word.casefold() in (hit.title + hit.detail).casefold() for hit in hits)
        assert quick_search(session, f"{word} zzzqqq") == []
        assert quick_search(session, "   ") == []


def test_a_refused_undo_of_a_delete_leaves_nothing_half_written(demo):
    """Undoing a delete whose parent went meanwhile is refused as a whole."""
    with demo.session() as session:
        line = session.scalars(select(BudgetLine).order_by(BudgetLine.id)).first()
    done = perform(demo, Action("Delete line", (Delete("budget_line", line.id),)))
    perform(demo, Action("Delete campaign", (Delete("campaign", line.campaign_id),)))
    before = fingerprint(demo)
    with pytest.raises(EditConflictError, match="its campaign was deleted since"):
        undo(demo, done.entry_id)
    assert fingerprint(demo) == before
