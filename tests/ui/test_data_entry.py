"""Issue 10: data entry that never lands a wrong figure, driven with real keys and clicks.

Each test names the numbered step of the issue's "Why" it replays on the demo file, in a
real window (offscreen), and checks the database afterwards.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit
from sqlalchemy import select

from portfolio.model import BudgetLine, Campaign, Client
from portfolio.queries.budget_grid import ROWS
from tests.ui.conftest import get, loaded

CLIENT = "Blue Ridge Life & Annuity"
CAMPAIGN = "Medicare Supplement Telemarketing"


def blue_ridge(database) -> tuple[int, int]:
    with database.session() as session:
        client = session.scalars(select(Client).where(Client.name == CLIENT)).one()
        campaign = session.scalars(
            select(Campaign).where(Campaign.client_id == client.id, Campaign.name == CAMPAIGN)
        ).one()
        return client.id, campaign.id


def spend(database, campaign_id: int) -> dict[int, tuple]:
    """Month -> (spend budget, forecast, actual) of the campaign, as stored."""
    with database.session() as session:
        return {
            line.month: (line.spend_budget, line.spend_forecast, line.spend_actual)
            for line in session.scalars(
                select(BudgetLine).where(BudgetLine.campaign_id == campaign_id)
            )
        }


def open_grid(qtbot, window, workspace):
    client_id, campaign_id = blue_ridge(workspace.database)
    page = window.client_page(client_id, "budget")
    page.select_campaign(campaign_id)
    grid = page.grid
    qtbot.waitUntil(
        lambda: grid.model.grid is not None and grid.model.grid.campaign_id == campaign_id
    )
    return grid, campaign_id


def cell(grid, measure: str, kind: str, month: int):
    return grid.model.index(ROWS.index((measure, kind)), grid.model.grid.months.index(month))


def click(qtbot, view, index) -> None:
    """A left click on the cell, where a person would click it."""
    view.scrollTo(index)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def type_text(qtbot, view, text: str) -> None:
    """Type into whatever has the focus (the view starts an edit on the first key)."""
    for char in text:
        qtbot.keyClick(QApplication.focusWidget() or view, char)


def key(qtbot, view, which, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget() or view, which, modifier)


def placed(widget, ancestor) -> QRect:
    """``widget``'s rectangle in ``ancestor``'s coordinates."""
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def editing(view) -> bool:
    return view.state() == QAbstractItemView.State.EditingState


# -- step 1 -------------------------------------------------------------------------------


def test_step1_tab_after_a_save_moves_right_and_never_lands_in_a_closed_budget(
    qtbot, window, workspace
):
    """Why 1: Nov actual 8888, Tab, 7777, Enter put 7,777 into Jul Spend budget."""
    grid, campaign_id = open_grid(qtbot, window, workspace)
    before = spend(workspace.database, campaign_id)
    view = grid.table
    click(qtbot, view, cell(grid, "spend", "actual", 202611))
    type_text(qtbot, view, "8888")
    key(qtbot, view, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == cell(grid, "spend", "actual", 202612)
    type_text(qtbot, view, "7777")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    after = spend(workspace.database, campaign_id)
    assert after[202611][2] == 888_800
    assert after[202612][2] == 777_700
    assert after[202607] == before[202607] == (940_000, 948_300, 924_857)
    changed = {m for m in after if after[m] != before[m]}
    assert changed == {202611, 202612}
    # Enter moved down from Dec actual; the cell the person sees is the current one.
    assert view.currentIndex() == cell(grid, "spend", "outlook", 202612)


# -- step 2 -------------------------------------------------------------------------------


def test_step2_a_refused_value_stays_in_its_cell_and_the_next_click_lands(qtbot, window, workspace):
    """Why 2: 'abc' + Enter: the balloon covered cells, swallowed the next click, and typing
    went into the cell with the balloon."""
    grid, campaign_id = open_grid(qtbot, window, workspace)
    before = spend(workspace.database, campaign_id)
    view = grid.table
    refused_cell = cell(grid, "spend", "forecast", 202611)
    click(qtbot, view, refused_cell)
    type_text(qtbot, view, "abc")
    key(qtbot, view, Qt.Key.Key_Return)
    # Refused: the same cell is current and still in edit, with the text as typed.
    assert editing(view)
    assert view.currentIndex() == refused_cell
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "abc"
    assert grid.balloon.isVisible()
    assert "Spend forecast, Nov 2026" in grid.balloon.text()
    assert "not an amount" in grid.balloon.text()
    # The reason sits under the grid: it covers no cell.
    assert not placed(grid.balloon, grid).intersects(placed(view, grid))
    assert spend(workspace.database, campaign_id) == before
    assert workspace.undo_stack.count() == 0
    # The next click goes to the cell clicked, and typing goes there too.
    target = cell(grid, "spend", "forecast", 202612)
    click(qtbot, view, target)
    qtbot.waitUntil(lambda: view.currentIndex() == target)
    assert not editing(view)
    type_text(qtbot, view, "5")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    after = spend(workspace.database, campaign_id)
    assert after[202612][1] == 500
    assert after[202611] == before[202611]
    assert not grid.balloon.isVisible()


def test_step2_esc_after_a_refusal_keeps_the_stored_value(qtbot, window, workspace):
    grid, campaign_id = open_grid(qtbot, window, workspace)
    before = spend(workspace.database, campaign_id)
    view = grid.table
    click(qtbot, view, cell(grid, "spend", "budget", 202612))
    type_text(qtbot, view, "12.345")
    key(qtbot, view, Qt.Key.Key_Return)
    assert editing(view) and grid.balloon.isVisible()
    key(qtbot, view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == cell(grid, "spend", "budget", 202612)
    assert not grid.balloon.isVisible()
    assert spend(workspace.database, campaign_id) == before


# -- step 3 -------------------------------------------------------------------------------


def test_step3_after_enter_saves_the_grid_has_a_current_cell_for_keys_and_f2(
    qtbot, window, workspace
):
    """Why 3: after Enter saved a cell there was no current cell: typing, arrows and F2
    did nothing."""
    grid, campaign_id = open_grid(qtbot, window, workspace)
    view = grid.table
    first = cell(grid, "spend", "budget", 202612)
    click(qtbot, view, first)
    type_text(qtbot, view, "100")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == cell(grid, "spend", "forecast", 202612)
    key(qtbot, view, Qt.Key.Key_Up)  # arrows move from there
    assert view.currentIndex() == first
    key(qtbot, view, Qt.Key.Key_F2)  # F2 edits the current cell, keeping its text
    assert editing(view)
    assert QApplication.focusWidget().text() == "100.00"
    key(qtbot, view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == first
    # Shift+Enter saves and moves up; Shift+Tab saves and moves left.
    key(qtbot, view, Qt.Key.Key_Down)
    type_text(qtbot, view, "90")
    key(qtbot, view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == first
    type_text(qtbot, view, "110")
    key(qtbot, view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == cell(grid, "spend", "budget", 202611)
    stored = spend(workspace.database, campaign_id)[202612]
    assert stored[:2] == (11_000, 9_000)
    # Undo: the current cell stays where it is.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: spend(workspace.database, campaign_id)[202612][0] == 10_000)
    assert view.currentIndex() == cell(grid, "spend", "budget", 202611)


def test_step3_in_a_list_enter_saves_and_moves_down(qtbot, window, workspace):
    """Why 3 (lists): Enter stayed on the same cell, so the next value overwrote it."""
    from ui.tables.list_model import ROW_ID_ROLE

    _client_id, campaign_id = blue_ridge(workspace.database)
    page = window.show_page("budgets")
    panel = page.primary_panel()
    panel.set_scope({"campaign_id": campaign_id}, {"campaign_id": f"Campaign: {CAMPAIGN}"})
    qtbot.waitUntil(lambda: panel.model.state.scope == (("campaign_id", campaign_id),))
    model = loaded(qtbot, panel.model)
    view = panel.table
    column = model.column_of("spend_forecast")
    ids = [get(model.index(row, 0), ROW_ID_ROLE) for row in range(2)]
    click(qtbot, view, model.index(0, column))
    type_text(qtbot, view, "1234")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    assert view.currentIndex() == model.index(1, column)
    type_text(qtbot, view, "4321")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    with workspace.database.session() as session:
        first, second = (session.get(BudgetLine, line_id) for line_id in ids)
        assert (first.spend_forecast, second.spend_forecast) == (123_400, 432_100)
    assert view.currentIndex() == model.index(2, column)
    # A refusal in a list: same cell, still in edit, nothing stored.
    type_text(qtbot, view, "-")
    key(qtbot, view, Qt.Key.Key_Tab)
    assert editing(view) and view.currentIndex() == model.index(2, column)
    assert panel.balloon.isVisible()
