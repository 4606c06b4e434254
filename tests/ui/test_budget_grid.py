"""The budget grid: paste a block from Excel, fill right, one undo step, refusals."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtGui import QGuiApplication
from sqlalchemy import select

from portfolio.model import BudgetLine, Campaign, Client
from portfolio.money import SYMBOLS
from portfolio.queries.budget_grid import ROWS
from tests.conftest import AS_OF
from tests.ui.conftest import get


def full_campaign(database) -> Campaign:
    """A campaign with a line in every month of the current year."""
    with database.session() as session:
        for campaign in session.scalars(select(Campaign).order_by(Campaign.id)):
            months = set(
                session.scalars(
                    select(BudgetLine.month).where(
                        BudgetLine.campaign_id == campaign.id,
                        BudgetLine.month.between(AS_OF // 100 * 100 + 1, AS_OF // 100 * 100 + 12),
                    )
                )
            )
            if len(months) == 12:
                return campaign
    raise AssertionError("no campaign runs all year in the demo")


def lines(database, campaign_id: int) -> dict[int, BudgetLine]:
    with database.session() as session:
        return {
            line.month: line
            for line in session.scalars(
                select(BudgetLine).where(BudgetLine.campaign_id == campaign_id)
            )
        }


def grid_page(qtbot, window, campaign: Campaign):
    page = window.client_page(campaign.client_id, "budget")
    page.select_campaign(campaign.id)
    grid = page.grid
    assert grid.model.grid is not None and grid.model.grid.campaign_id == campaign.id
    return page, grid


def row(measure: str, kind: str) -> int:
    return ROWS.index((measure, kind))


def test_paste_an_excel_block_is_one_action(qtbot, window, workspace):
    database = workspace.database
    campaign = full_campaign(database)
    page, grid = grid_page(qtbot, window, campaign)
    before = lines(database, campaign.id)
    months = grid.model.grid.months
    grid.table.setCurrentIndex(grid.model.index(row("spend", "budget"), 0))
    with database.session() as session:
        currency = session.scalar(select(Client.currency).where(Client.id == campaign.client_id))
    # Typed with the campaign's own currency sign: another currency's sign is refused.
    sign = SYMBOLS.get(currency, f"{currency} ")
    block = f"1,000.00\t2000\t{sign}3,000.50\r\n900\t1900\t2900\r\n"  # budget, forecast
    QGuiApplication.clipboard().setText(block)
    window.paste()  # Edit > Paste (Ctrl+V) on the client page's budget tab
    after = lines(database, campaign.id)
    assert [after[m].spend_budget for m in months[:3]] == [100_000, 200_000, 300_050]
    assert [after[m].spend_forecast for m in months[:3]] == [90_000, 190_000, 290_000]
    assert workspace.undo_stack.count() == 1
    assert "Paste 6 cells" in window.undo_action.text()
    variance = grid.model.index(row("spend", "variance"), len(months) - 1)
    assert get(variance)  # the worked-out rows follow
    window.undo_action.trigger()
    restored = lines(database, campaign.id)
    assert [restored[m].spend_budget for m in months[:3]] == [
        before[m].spend_budget for m in months[:3]
    ]


def test_a_refused_paste_changes_nothing_and_says_where(qtbot, window, workspace):
    database = workspace.database
    campaign = full_campaign(database)
    page, grid = grid_page(qtbot, window, campaign)
    before = lines(database, campaign.id)
    grid.table.setCurrentIndex(grid.model.index(row("revenue", "actual"), 0))
    assert not grid.paste_text("100\t200\tlots\n")
    assert "not an amount" in grid.model.last_refusal
    assert grid.model.grid.months and "Mar" in grid.model.last_refusal
    assert grid.balloon.isVisible()
    assert lines(database, campaign.id) == before or all(
        lines(database, campaign.id)[m].revenue_actual == before[m].revenue_actual for m in before
    )
    assert workspace.undo_stack.count() == 0
    grid.table.setCurrentIndex(grid.model.index(row("spend", "outlook"), 0))
    assert not grid.paste_text("1\n")
    assert "cannot be typed into" in grid.model.last_refusal


def test_fill_right_copies_the_first_value_to_the_year_end(qtbot, window, workspace):
    database = workspace.database
    campaign = full_campaign(database)
    page, grid = grid_page(qtbot, window, campaign)
    months = grid.model.grid.months
    start = 8
    index = grid.model.index(row("spend", "forecast"), start)
    grid.table.selectionModel().select(
        QItemSelection(index, index), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    grid.table.setCurrentIndex(index)
    window.fill_right()
    after = lines(database, campaign.id)
    expected = after[months[start]].spend_forecast
    assert {after[m].spend_forecast for m in months[start:]} == {expected}
    assert workspace.undo_stack.count() == 1


def test_typing_into_a_month_without_a_line_creates_it(qtbot, window, workspace):
    database = workspace.database
    with database.session() as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.id)).first()
    page, grid = grid_page(qtbot, window, campaign)
    existing = lines(database, campaign.id)
    column = next((i for i, m in enumerate(grid.model.grid.months) if m not in existing), None)
    if column is None:
        return  # this campaign runs every month; nothing to create
    month = grid.model.grid.months[column]
    assert grid.model.setData(grid.model.index(row("spend", "budget"), column), "250")
    created = lines(database, campaign.id)[month]
    assert created.spend_budget == 25_000 and created.spend_forecast == 25_000
    workspace.undo()
    assert month not in lines(database, campaign.id)


def test_a_client_grid_is_read_only_sums(qtbot, window, workspace):
    campaign = full_campaign(workspace.database)
    page = window.client_page(campaign.client_id, "budget")
    page.select_campaign(None)
    grid = page.grid
    assert not grid.model.grid.editable
    assert not grid.model.setData(grid.model.index(0, 0), "1")
    assert "Choose a campaign" in grid.hint.text()


def test_a_grid_edit_reads_the_grid_once_and_keeps_the_current_cell(qtbot, window, workspace):
    """The fault: a grid edit reloaded the grid twice, with a reset that lost the cell."""
    from PySide6.QtCore import Qt

    from tests.ui.test_data_entry import click, editing, key, type_text

    campaign = full_campaign(workspace.database)
    _page, grid = grid_page(qtbot, window, campaign)
    model, view = grid.model, grid.table
    reads, resets = [], []
    model.refreshed.connect(lambda: reads.append(1))
    model.modelReset.connect(lambda: resets.append(1))
    month = grid.model.grid.months[-1]
    target = model.index(row("spend", "forecast"), grid.model.grid.months.index(month))
    window.activateWindow()
    click(qtbot, view, target)
    type_text(qtbot, view, "4321")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view) and bool(reads))
    from portfolio.money import exponent

    saved = lines(workspace.database, campaign.id)[month].spend_forecast
    assert saved == 4321 * 10 ** exponent(model.grid.currency)
    assert (len(reads), len(resets)) == (1, 0)
    assert view.currentIndex() == model.index(target.row() + 1, target.column())
