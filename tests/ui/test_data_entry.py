"""Issue 10: data entry that never lands a wrong figure, driven with real keys and clicks.

Each test names the numbered step of the issue's "Why" it replays on the demo file, in a
real window (offscreen), and checks the database afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal

import pytest
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


# -- steps 4 and 5: dates -----------------------------------------------------------------


def drive_dialog(monkeypatch, steps):
    """Replace the modal ``exec`` of forms by showing the form and running ``steps(dialog)``
    (which types and clicks into it); returns the list of forms opened."""
    from ui.editing.record_dialog import RecordDialog

    opened = []

    def run(dialog) -> int:
        opened.append(dialog)
        dialog.show()
        steps(dialog)
        return int(dialog.result())

    monkeypatch.setattr(RecordDialog, "exec", run)
    return opened


def ok_button(dialog):
    from PySide6.QtWidgets import QDialogButtonBox

    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def test_step4_a_typed_end_date_is_saved_as_typed(qtbot, window, workspace, monkeypatch):
    """Why 4: End date typed as 2027-01-31 showed ' 20270131' and OK saved no end date;
    blank date pickers opened at January 1900."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QToolButton

    seen = {}

    def fill(dialog) -> None:
        qtbot.keyClicks(dialog.editors["client_id"].lineEdit(), CLIENT)
        name = dialog.editors["name"]
        qtbot.mouseClick(name, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(name, "Winter reactivation")
        end = dialog.editors["end_date"]
        # The blank picker opens at today, not at 1900.
        button = next(b for b in end.findChildren(QToolButton) if b.isVisible())
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: end.popup is not None and end.popup.isVisible())
        seen["picker"] = end.popup.calendar.selectedDate()
        qtbot.keyClick(end.popup.calendar, Qt.Key.Key_Escape)
        qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(end, "2027-01-31")
        seen["shown"] = end.text()
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
        seen["notes"] = {k: n.text() for k, n in dialog.notes.items() if n.text()}
        seen["values"] = dialog.entered()

    opened = drive_dialog(monkeypatch, fill)
    panel = window.show_page("campaigns").primary_panel()
    loaded(qtbot, panel.model)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened and opened[0].action is not None, seen
    assert seen["picker"] == QDate.currentDate()
    assert seen["shown"] == "2027-01-31"
    with workspace.database.session() as session:
        campaign = session.scalars(
            select(Campaign).where(Campaign.name == "Winter reactivation")
        ).one()
        assert campaign.end_date == dt.date(2027, 1, 31)


def test_step4_a_date_that_is_not_one_is_refused_at_the_field(
    qtbot, window, workspace, monkeypatch
):
    def fill(dialog) -> None:
        qtbot.keyClicks(dialog.editors["client_id"].lineEdit(), CLIENT)
        qtbot.keyClicks(dialog.editors["name"], "Spring reactivation")
        end = dialog.editors["end_date"]
        qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(end, "31 Feb 2027")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
        assert dialog.isVisible(), "a refused date keeps the form open"
        assert "not a real date" in dialog.notes["end_date"].text()
        assert end.text() == "31 Feb 2027"
        end.selectAll()
        qtbot.keyClicks(end, "28 Feb 2027")  # the month's name form reads too
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    drive_dialog(monkeypatch, fill)
    panel = window.show_page("campaigns").primary_panel()
    loaded(qtbot, panel.model)
    panel.add_record()
    with workspace.database.session() as session:
        campaign = session.scalars(
            select(Campaign).where(Campaign.name == "Spring reactivation")
        ).one()
        assert campaign.end_date == dt.date(2027, 2, 28)


def test_step5_a_date_typed_into_a_list_cell_is_saved_as_typed(qtbot, window, workspace):
    """Why 5: Campaigns list > End > F2 > 2025-01-31 > Enter saved 2025-11-01."""
    from ui.tables.list_model import ROW_ID_ROLE

    panel = window.show_page("campaigns").primary_panel()
    model = loaded(qtbot, panel.model)
    start = model.column_of("start_date")
    row = next(
        r
        for r in range(model.rowCount())
        if model.value(r, start) is None or model.value(r, start) <= dt.date(2025, 1, 1)
    )
    campaign_id = get(model.index(row, 0), ROW_ID_ROLE)
    view = panel.table
    end = model.index(row, model.column_of("end_date"))
    click(qtbot, view, end)
    key(qtbot, view, Qt.Key.Key_F2)
    assert editing(view)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "2025-01-31")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    with workspace.database.session() as session:
        assert session.get(Campaign, campaign_id).end_date == dt.date(2025, 1, 31)
    assert view.currentIndex().row() == row + 1
    # The computer's short form reads in the computer's order (here month first).
    from PySide6.QtCore import QLocale

    from portfolio import dates
    from ui.tables.date_editor import configure_local_dates

    configure_local_dates(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        click(qtbot, view, end)
        key(qtbot, view, Qt.Key.Key_F2)
        QApplication.focusWidget().selectAll()
        qtbot.keyClicks(QApplication.focusWidget(), "2/28/25")
        key(qtbot, view, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not editing(view))
    finally:
        dates.configure(None)
    with workspace.database.session() as session:
        assert session.get(Campaign, campaign_id).end_date == dt.date(2025, 2, 28)


# -- steps 6 and 7: make-up actions -------------------------------------------------------


def client_variance_tab(qtbot, window, workspace):
    client_id, _ = blue_ridge(workspace.database)
    page = window.client_page(client_id, "variance")
    qtbot.waitUntil(page.ready, timeout=30_000)
    return page


def recovery_row(page, campaign: str, measure: str) -> int:
    return next(
        row
        for row in range(page.recovery_model.rowCount())
        if page.recovery_model.record(row)["group"] == campaign
        and page.recovery_model.record(row)["measure"] == measure
    )


def test_step6_makeup_from_the_client_page_opens_filled_in(qtbot, window, workspace, monkeypatch):
    """Why 6: the client page's '+' opened a make-up form with no client, measure Spend,
    no amount, and typing the campaign's exact name was refused."""
    from portfolio.model import MakeupAction

    page = client_variance_tab(qtbot, window, workspace)
    row = recovery_row(page, "Final Expense Telemarketing", "Revenue")
    item = page.recovery_model.record(row)["item"]
    click(qtbot, page.recovery_view, page.recovery_model.index(row, 0))
    seen = {}

    def fill(dialog) -> None:
        seen["title"] = dialog.windowTitle()
        seen["campaign"] = dialog.editors["campaign_id"].currentText()
        seen["campaigns"] = dialog.editors["campaign_id"].count()
        seen["measure"] = dialog.editors["measure"].currentData()
        seen["amount"] = dialog.editors["amount"].text()
        seen["month"] = dialog.editors["target_month"].text()
        qtbot.mouseClick(dialog.editors["description"], Qt.MouseButton.LeftButton)
        qtbot.keyClicks(dialog.editors["description"], "Second drop to lapsed members")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    drive_dialog(monkeypatch, fill)
    qtbot.mouseClick(page.actions.add_button, Qt.MouseButton.LeftButton)  # the list's "+"
    assert seen["title"] == f"Make-up action: {CLIENT} / Final Expense Telemarketing"
    assert seen["campaign"] == "Final Expense Telemarketing"
    assert seen["campaigns"] == 15  # the client's 14 campaigns and "(whole client)"
    assert seen["measure"] == "revenue"
    assert seen["amount"] == "18361.34" and item.amount_to_make_up == 1_836_134
    assert seen["month"] == "2026-11"
    with workspace.database.session() as session:
        action = session.scalars(
            select(MakeupAction).where(MakeupAction.description == "Second drop to lapsed members")
        ).one()
        assert (action.client_id, action.campaign_id) == (item.client_id, item.campaign_id)
        assert (action.measure, action.amount, action.target_month) == (
            "revenue",
            1_836_134,
            202611,
        )


def test_step6_the_campaign_is_picked_from_the_clients_campaigns(
    qtbot, window, workspace, monkeypatch
):
    from portfolio.model import MakeupAction

    page = client_variance_tab(qtbot, window, workspace)

    def fill(dialog) -> None:
        combo = dialog.editors["campaign_id"]
        qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
        combo.view().setCurrentIndex(combo.model().index(combo.findText(CAMPAIGN), 0))
        qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
        qtbot.keyClicks(dialog.editors["description"], "Extra telemarketing wave")
        amount = dialog.editors["amount"]
        amount.selectAll()
        qtbot.keyClicks(amount, "2500")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    drive_dialog(monkeypatch, fill)
    qtbot.mouseClick(page.add_action_button, Qt.MouseButton.LeftButton)
    with workspace.database.session() as session:
        action = session.scalars(
            select(MakeupAction).where(MakeupAction.description == "Extra telemarketing wave")
        ).one()
        assert action.campaign_id == blue_ridge(workspace.database)[1]
        assert action.amount == 250_000


def test_step7_a_client_level_action_counts_in_app_cli_and_deck_alike(
    qtbot, window, workspace, monkeypatch, capsys, ui_target
):
    """Why 7: the deck's 'actions planned cover' left out a client-level action of $5,000
    that its own table listed."""
    from portfolio.analytics.recovery import plan_totals
    from portfolio.cli import main as cli_main
    from portfolio.decks.build import outline, read_content
    from portfolio.decks.options import DeckOptions
    from portfolio.model import MakeupAction

    page = client_variance_tab(qtbot, window, workspace)
    page.chart_measure.setCurrentIndex(page.chart_measure.findData("revenue"))

    def fill(dialog) -> None:
        combo = dialog.editors["campaign_id"]
        assert combo.currentText() == "(whole client)"
        qtbot.keyClicks(dialog.editors["description"], "Client-wide renewal offer")
        qtbot.keyClicks(dialog.editors["amount"], "5000")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    drive_dialog(monkeypatch, fill)
    page.recovery_view.clearSelection()
    page.recovery_view.setCurrentIndex(page.recovery_model.index(-1, -1))
    qtbot.mouseClick(page.add_action_button, Qt.MouseButton.LeftButton)
    with workspace.database.session() as session:
        action = session.scalars(
            select(MakeupAction).where(MakeupAction.description == "Client-wide renewal offer")
        ).one()
        assert (action.campaign_id, action.measure, action.amount) == (None, "revenue", 500_000)
    qtbot.waitUntil(
        lambda: page.ready() and page.summary.actions and len(page.summary.actions) == 2
    )
    # The app: the client page's plan has a whole-client row carrying the $5,000.
    planned = plan_totals(page.summary.recovery)["revenue"].planned
    assert planned == 413_600 + 500_000
    shown = [page.recovery_model.record(r) for r in range(page.recovery_model.rowCount())]
    assert any(r["item"].whole_client and r["planned"] == 500_000 for r in shown)
    # The deck: "actions planned cover $9,136.00".
    client_id, _ = blue_ridge(workspace.database)
    with workspace.database.session() as session:
        client = session.get(Client, client_id)
        content = read_content(
            session, client, DeckOptions(), as_of=workspace.as_of, today=workspace.today
        )
    deck = outline(content, DeckOptions())
    texts = " ".join(str(block) for slide in deck.slides for block in slide.blocks)
    assert "Revenue to recover by the end of FY2027" in texts
    assert "actions planned cover $9,136.00" in texts
    # The command line, client level: the same $9,136.00 planned.
    command = ["recovery", "--db", ui_target, "--measure", "revenue", "--client", CLIENT]
    command += ["--as-of", "2026-10", "--format", "json"]
    code = cli_main(command)
    assert code == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["group"] == CLIENT
    assert record["planned"] == "9136.00"
    # ... and at campaign level its items add up to the same.
    assert cli_main([*command, "--level", "campaign"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sum(Decimal(row["planned"]) for row in rows) == Decimal("9136.00")


def test_step6_makeup_from_a_budget_grid_row_opens_filled_in(qtbot, window, workspace, monkeypatch):
    from portfolio.model import MakeupAction

    grid, campaign_id = open_grid(qtbot, window, workspace)
    click(qtbot, grid.table, cell(grid, "revenue", "variance", 202609))
    seen = {}

    def fill(dialog) -> None:
        seen["campaign"] = dialog.editors["campaign_id"].currentText()
        seen["measure"] = dialog.editors["measure"].currentData()
        seen["amount"] = dialog.editors["amount"].text()
        qtbot.keyClicks(dialog.editors["description"], "Telemarketing re-contact")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    drive_dialog(monkeypatch, fill)
    qtbot.mouseClick(grid.makeup_button, Qt.MouseButton.LeftButton)
    assert seen == {"campaign": CAMPAIGN, "measure": "revenue", "amount": "17016.11"}
    with workspace.database.session() as session:
        action = session.scalars(
            select(MakeupAction).where(MakeupAction.description == "Telemarketing re-contact")
        ).one()
        assert (action.campaign_id, action.amount) == (campaign_id, 1_701_611)


# -- step 8: periods name their months -----------------------------------------------------


def test_step8_every_year_to_date_names_its_months_and_kind(qtbot, window, workspace):
    """Why 8: 'Year to date' meant calendar Jan-Oct in the Variances table and fiscal
    Jul-Oct in its make-up table and the client tiles, with no months shown; 'Spend
    variance' was year to date on Overview and full year on Team."""
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    # One page, one meaning: calendar year to date in the table, the note and the plan.
    assert "YTD Jan-Oct 2026 (calendar)" in page.note.text()
    assert "YTD Jan-Oct 2026 (calendar)" in page.recovery_label.text()
    periods = {page.rollup_model.record(r)["period"] for r in range(page.rollup_model.rowCount())}
    assert periods == {"Jan-Oct 2026 (calendar)"}
    # Switched to each client's fiscal year, with the mouse and the keyboard.
    combo = page.year_kind
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: combo.currentData() == "fiscal")
    qtbot.waitUntil(page.ready, timeout=30_000)
    rows = [page.rollup_model.record(r) for r in range(page.rollup_model.rowCount())]
    blue = next(r for r in rows if r["group"] == CLIENT)
    assert blue["period"] == "Jul-Oct 2026 (fiscal)"
    assert "fiscal year" in page.recovery_label.text()
    plan = [page.recovery_model.record(r) for r in range(page.recovery_model.rowCount())]
    assert {r["ytd"] for r in plan if r["group"] == CLIENT} <= {"Jul-Oct 2026"}
    # The client page's tiles and plan say the same months.
    client_id, _ = blue_ridge(workspace.database)
    client = window.client_page(client_id, "variance")
    qtbot.waitUntil(client.ready, timeout=30_000)
    assert client.tiles["spend"].title.text() == "Spend, YTD Jul-Oct 2026 (fiscal)"
    assert "YTD Jul-Oct 2026 (fiscal)" in client.recovery_heading.text()
    assert "Jul 2026-Jun 2027, fiscal" in client.tiles["year"].title.text()
    # Overview and Team no longer share one name for two different variances.
    overview = window.show_page("overview")
    team = window.show_page("team")
    overview_labels = {f.label for f in overview.director_model.fields}
    team_labels = {f.label for f in team.model.fields}
    assert "Spend variance, YTD" in overview_labels
    assert "Spend variance, full year" in team_labels
    assert not overview_labels & team_labels & {"Spend variance"}


# -- step 9: actuals for open months -------------------------------------------------------


def test_step9_an_actual_for_an_open_month_is_taken_with_a_visible_warning(
    qtbot, window, workspace
):
    """Why 9: an actual for December (on 30 November) was accepted silently and ignored
    by the outlook."""
    grid, campaign_id = open_grid(qtbot, window, workspace)
    view = grid.table
    december = cell(grid, "spend", "actual", 202612)
    click(qtbot, view, december)
    assert grid.notice.isVisible()  # before anything is typed
    assert "Dec 2026 is still open" in grid.notice.text()
    assert "until then the outlook uses its forecast" in grid.notice.text()
    type_text(qtbot, view, "500")
    key(qtbot, view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(view))
    stored = spend(workspace.database, campaign_id)[202612]
    assert stored[2] == 50_000  # kept as typed
    # The rule, visible in the grid: the outlook of an open month is its forecast.
    outlook = cell(grid, "spend", "outlook", 202612)
    assert grid.model.grid.value("spend", "outlook", 202612) == stored[1]
    assert get(outlook) == get(cell(grid, "spend", "forecast", 202612))
    assert "does not count until the month closes" in get(december, Qt.ItemDataRole.ToolTipRole)
    # A closed month's actual carries no such warning.
    click(qtbot, view, cell(grid, "spend", "actual", 202610))
    assert not grid.notice.isVisible()


# -- step 10: first start and returning users ----------------------------------------------


def start_app(monkeypatch, tmp_path, **arguments):
    """Run ``portfolio`` (the desktop launcher) as a person would; returns the opened path."""
    import argparse

    from PySide6.QtCore import QTimer

    from ui import app
    from ui.settings import Settings

    monkeypatch.setattr(app, "data_directory", lambda: tmp_path / "data")
    monkeypatch.setattr(Settings, "for_user", lambda: Settings.in_file(tmp_path / "user.ini"))
    opened = []

    def close_soon(window) -> None:
        opened.append(window.workspace.database.path)
        QTimer.singleShot(0, window.close)

    args = argparse.Namespace(
        **{"db": None, "demo": False, "fresh": False, "command": None, **arguments}
    )
    code = app.run(args, on_window=close_soon)
    return code, opened


def marked(path) -> bool:
    from portfolio.storage import open_database

    database = open_database(path)
    try:
        with database.session() as session:
            return (
                session.scalar(select(Client.id).where(Client.name == "My own client")) is not None
            )
    finally:
        database.close()


def mark(path) -> None:
    from portfolio.storage import open_database

    database = open_database(path)
    with database.session() as session:
        session.get(Client, 1).name = "My own client"
        session.commit()
    database.close()


def test_step10_portfolio_reopens_the_last_portfolio(qtbot, tmp_path, monkeypatch, demo_file):
    """Why 10: plain `portfolio` opened a different, empty file instead of the last one."""
    from tests.conftest import copy_demo
    from ui.settings import Settings

    mine = copy_demo(demo_file, tmp_path / "mine.sqlite3")
    settings = Settings.in_file(tmp_path / "user.ini")
    settings.add_recent(str(tmp_path / "gone.sqlite3"))  # since deleted: skipped
    settings.add_recent(str(mine))
    settings.sync()
    code, opened = start_app(monkeypatch, tmp_path)
    assert code == 0 and opened == [mine.resolve()]


def test_step10_demo_opens_the_existing_demo_and_rebuilds_only_when_asked(
    qtbot, tmp_path, monkeypatch, demo_file
):
    """Why 10: `portfolio --demo` rebuilt the demo over the user's edits without asking."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from tests.conftest import copy_demo
    from ui import app

    (tmp_path / "data").mkdir()
    demo = copy_demo(demo_file, tmp_path / "data" / app.DEMO_FILE)
    mark(demo)
    rebuilt = []

    def rebuild() -> object:
        rebuilt.append(True)
        return copy_demo(demo_file, demo)

    monkeypatch.setattr(app, "write_fresh_demo", rebuild)
    asked = []

    def answer(text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.informativeText())
        button = next(b for b in box.buttons() if b.text() == text)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, lambda: answer("Open it as it is"))
    code, opened = start_app(monkeypatch, tmp_path, demo=True)
    assert code == 0 and opened == [demo.resolve()]
    assert asked and "with any changes you made" in asked[0]
    assert marked(demo) and not rebuilt  # the edits are still there
    QTimer.singleShot(50, lambda: answer("Rebuild it"))
    start_app(monkeypatch, tmp_path, demo=True)
    assert rebuilt and not marked(demo)
    mark(demo)
    monkeypatch.setattr(app, "ask_rebuild_demo", lambda path: pytest.fail("asked"))
    start_app(monkeypatch, tmp_path, demo=True, fresh=True)  # --demo --fresh: no question
    assert len(rebuilt) == 2 and not marked(demo)


def test_step10_empty_lists_say_what_to_do_next(qtbot, tmp_path, settings):
    """Why 10: the empty lists of a new portfolio said nothing about what to do."""
    from portfolio.storage import open_database
    from ui.main_window import MainWindow
    from ui.workspace import Workspace

    workspace = Workspace(open_database(tmp_path / "new.sqlite3", create=True), settings)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    panel = window.show_page("clients").primary_panel()
    loaded(qtbot, panel.model)
    qtbot.waitUntil(panel.empty_note.isVisible)
    text = panel.empty_note.text()
    assert "Import a workbook" in text and "Ctrl+N" in text and "demo" in text
    assert any(a.text() == "Open the &demo portfolio" for a in window.file_menu.actions())
    workspace.close()


def test_step10_a_missing_window_library_is_explained(monkeypatch, capsys):
    import ctypes.util

    from ui import app

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if name == "xcb-cursor" else real(name)
    )
    monkeypatch.setattr(sys, "platform", "linux")
    import argparse

    code = app.run(argparse.Namespace(db=None, demo=False, fresh=False, command=None))
    assert code == 1
    error = capsys.readouterr().err
    assert "cannot open its window" in error
    assert "sudo apt install libxcb-cursor0" in error


def test_smaller_a_filter_that_finds_nothing_says_so(qtbot, window):
    """Why 11: the filter 'isla usd' found nothing and said nothing."""
    from ui.tables.list_model import ROW_ID_ROLE

    panel = window.show_page("clients").primary_panel()
    loaded(qtbot, panel.model)

    def filter_by(text: str) -> None:
        panel.filter_edit.setFocus()
        panel.filter_edit.selectAll()
        qtbot.keyClicks(panel.filter_edit, text)
        qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: panel.model.state.filter_text == text)
        loaded(qtbot, panel.model)

    filter_by("isla usd")  # a director's name and a currency: Isla Patel's USD clients
    model = panel.model
    assert model.rowCount() > 0
    director, currency = model.column_of("director"), model.column_of("currency")
    for row in range(model.rowCount()):
        assert get(model.index(row, director)).startswith("Isla")
        assert get(model.index(row, currency)) == "USD"
        assert get(model.index(row, 0), ROW_ID_ROLE)
    assert not panel.empty_note.isVisible()
    filter_by("isla xyz")
    qtbot.waitUntil(panel.empty_note.isVisible)
    assert "No clients match “isla xyz”" in panel.empty_note.text()


# -- step 11: the smaller faults -----------------------------------------------------------


def test_smaller_ampersands_show_in_undo_and_chips_and_undo_clears_the_news(
    qtbot, window, workspace, monkeypatch
):
    """Why 11: '&' showed as '_' in Edit > Undo and filter chips; the status bar kept
    'Deleted ...' after the undo restored it."""
    from PySide6.QtWidgets import QMessageBox, QToolButton

    grid, campaign_id = open_grid(qtbot, window, workspace)
    click(qtbot, grid.table, cell(grid, "spend", "budget", 202612))
    type_text(qtbot, grid.table, "1")
    key(qtbot, grid.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.undo_stack.count() == 1)
    assert "Blue Ridge Life && Annuity" in window.undo_action.text()  # shows one "&"
    # Drill from a director to their clients: the chip names them with a real "&".
    client_id, _ = blue_ridge(workspace.database)
    window.navigate("clients", {"client_id": client_id})
    panel = window.show_page("campaigns").primary_panel()
    panel.set_scope({"client_id": client_id}, {"client_id": f"Client: {CLIENT}"})
    chips = [b for b in panel.findChildren(QToolButton) if b.text().startswith("Client:")]
    assert chips and chips[-1].text() == "Client: Blue Ridge Life && Annuity"
    # Delete a campaign with the Delete key, then Ctrl+Z: the status bar follows.
    model = loaded(qtbot, panel.model)
    qtbot.waitUntil(lambda: model.state.scope == (("client_id", client_id),))
    loaded(qtbot, model)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    click(qtbot, panel.table, model.index(0, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage().startswith("Deleted ")
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("Undone: Delete ")


def test_smaller_navigation_drops_stale_drill_chips_and_pages_never_widen_the_window(
    qtbot, window, workspace
):
    """Why 11: stale filter chips stayed after drill-downs; opening a client page widened
    the main window; the title read 'Portfolio - path - Portfolio'."""
    from ui.main_window import MainWindow

    database = workspace.database
    expected = "portfolio.sqlite3" if database.path else f"{database.url.database} on localhost"
    assert window.windowTitle() == expected  # Qt adds " - Portfolio" itself
    _client_id, campaign_id = blue_ridge(workspace.database)
    window.navigate("campaigns", {"campaign_id": campaign_id})  # drill to its budget lines
    panel = window.current_page().primary_panel()
    assert panel.model.state.scope == (("campaign_id", campaign_id),)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # Go > Budgets
    assert panel.model.state.scope == ()
    assert not any(label for label in panel.scope_labels.values())
    window.resize(900, 700)
    qtbot.waitUntil(lambda: window.width() == 900)
    client_id, _ = blue_ridge(workspace.database)
    window.client_page(client_id, "budget")
    QApplication.processEvents()
    assert window.width() == 900
    assert isinstance(window, MainWindow)


@pytest.mark.sqlite_only
def test_smaller_right_click_menus_amount_widths_and_exports_outside_the_data_folder(
    qtbot, window, workspace, monkeypatch, tmp_path
):
    """Why 11: no right-click menus; amounts cut in default column widths; the export
    dialog saved into the hidden data folder and offered no Open."""
    from ui.tables.list_model import DISPLAY
    from ui.workbooks import actions

    client_id, _ = blue_ridge(workspace.database)
    page = window.client_page(client_id, "variance")
    qtbot.waitUntil(page.ready, timeout=30_000)
    assert "Add make-up action…" in [a.text() for a in page.recovery_view.actions()]
    assert "Add make-up action…" in [a.text() for a in page.grid.table.actions()]
    variances = window.show_page("variances")
    assert "Copy rows" in [a.text() for a in variances.rollup_view.actions()]
    # Money columns are wide enough for their amounts.
    panel = window.show_page("budgets").primary_panel()
    model = loaded(qtbot, panel.model)
    metrics = panel.table.fontMetrics()
    for number, column in enumerate(model.columns):
        if column.kind != "money" or panel.table.isColumnHidden(number):
            continue
        widest = max(
            metrics.horizontalAdvance(model.data(model.index(row, number), DISPLAY) or "")
            for row in range(min(50, model.rowCount()))
        )
        assert panel.table.columnWidth(number) >= widest + 8, column.label
    # A workbook of the default portfolio (in the data folder) goes to Documents.
    monkeypatch.setattr(
        "portfolio.storage.location.data_directory", lambda: workspace.database.path.parent
    )
    monkeypatch.setattr(actions, "documents_folder", lambda: tmp_path / "Documents")
    assert actions.suggested_path(window, "Book").parent == tmp_path / "Documents"
    written = tmp_path / "book.xlsx"
    written.write_bytes(b"x")
    actions.report_written(window, written, "3 rows")
    box = window.written_box
    assert {b.text() for b in box.buttons()} >= {"Open", "Show folder"}
    box.close()
