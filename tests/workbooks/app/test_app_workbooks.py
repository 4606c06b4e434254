"""The workbook actions in the desktop app, driven with qtbot on a real demo file."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import export_workbook
from portfolio.model import BudgetLine, Campaign, Client
from tests.conftest import AS_OF, TODAY
from tests.ui.conftest import loaded


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30_000)


def test_the_file_menu_offers_the_workbook_actions(window):
    texts = [action.text() for action in window.file_menu.actions()]
    quit_at = texts.index("&Quit")
    for text in ("Export &workbook…", "Export this &view…", "&Import spreadsheet…"):
        assert texts.index(text) < quit_at


def test_a_directors_workbook_from_the_export_dialog(qtbot, window, tmp_path):
    from ui.workbooks import actions

    dialog = actions.export_workbook(window)
    dialog.scope.setCurrentIndex(1)  # one account director
    director = dialog.who.itemText(2)
    dialog.who.setCurrentText(director)
    dialog.period.setCurrentIndex(dialog.period.findData("all"))
    target = tmp_path / "director.xlsx"
    dialog.path.setText(str(target))
    dialog.buttons.accepted.emit()
    _idle(qtbot, window)
    assert target.exists()
    book = openpyxl.load_workbook(target, read_only=True)
    assert book["Summary"]["A1"].value == f"Portfolio workbook: Director: {director}"
    assert "Wrote" in window.statusBar().currentMessage()


def test_export_this_view_keeps_its_filter_sort_and_columns(qtbot, window, tmp_path):
    from ui.workbooks import actions

    page = window.show_page("budgets")
    panel = page.primary_panel()
    loaded(qtbot, panel.model)
    client = panel.model.data(panel.model.index(0, panel.model.column_of("client")))
    word = client.split()[0]
    panel.filter_edit.setText(word)
    qtbot.waitUntil(lambda: panel.model.state.filter_text == word, timeout=10_000)
    loaded(qtbot, panel.model)
    panel.show_column(panel.model.column_of("revenue_forecast"), False)
    panel.table.horizontalHeader().sectionClicked.emit(panel.model.column_of("spend_budget"))
    qtbot.waitUntil(lambda: panel.model.state.sort == (("spend_budget", False),))
    loaded(qtbot, panel.model)
    target = tmp_path / "view.xlsx"
    actions.export_this_view(window, target)
    _idle(qtbot, window)

    sheet = openpyxl.load_workbook(target, read_only=True)["Budget lines"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "Revenue forecast" not in header and "Spend budget" in header
    with window.workspace.database.session() as session:
        expected = session.execute(panel.query().select()).all()
    assert len(rows) - 1 == len(expected) > 0
    budget = header.index("Spend budget")
    budgets = [row[budget] for row in rows[1:]]
    assert budgets == sorted(budgets)
    assert all(word.casefold() in " ".join(map(str, row)).casefold() for row in rows[1:])


@pytest.fixture
def edited_workbook(workspace, tmp_path):
    """A client's workbook exported from the portfolio, with one forecast changed."""
    database = workspace.database
    with database.session() as session:
        name = session.scalar(select(Client.name).order_by(Client.name).limit(1))
        request = workbook_request(session, as_of=AS_OF, today=TODAY, client=name)
    exported = tmp_path / "client.xlsx"
    export_workbook(database, exported, request)
    book = openpyxl.load_workbook(exported)
    sheet = book["Budget lines"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(2, header.index("Spend forecast") + 1)
    cell.value = cell.value + 10
    campaign = sheet.cell(2, header.index("Campaign") + 1).value
    month = sheet.cell(2, header.index("Month") + 1).value
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    return edited, name, campaign, month.year * 100 + month.month


def _forecast(workspace, client: str, campaign: str, month: int) -> int:
    with workspace.database.session() as session:
        return session.scalar(
            select(BudgetLine.spend_forecast)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == client, Campaign.name == campaign, BudgetLine.month == month)
        )


def test_import_previews_applies_and_undoes_as_one_step(qtbot, window, edited_workbook):
    from ui.workbooks import actions

    path, client, campaign, month = edited_workbook
    workspace = window.workspace
    before = _forecast(workspace, client, campaign, month)
    dialog = actions.import_spreadsheet(window, path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert "Budget lines: 0 added, 1 changed" in dialog.summary.text()
    assert dialog.changes.rowCount() == 1
    assert "Spend forecast" in dialog.changes.item(0, 3).text()
    assert dialog.tabs.tabText(0) == "Changes (1)"
    assert dialog.apply_button.isEnabled()
    assert _forecast(workspace, client, campaign, month) == before  # a preview writes nothing

    dialog.apply_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert _forecast(workspace, client, campaign, month) == before + 1000
    assert workspace.undo_stack.undoText() == "Import edited.xlsx"
    assert "Edit > Undo takes it back" in window.statusBar().currentMessage()

    window.undo_action.trigger()
    assert _forecast(workspace, client, campaign, month) == before
    # The import is a journal entry like any other action: it can be redone.
    window.redo_action.trigger()
    assert _forecast(workspace, client, campaign, month) == before + 1000


def test_refused_rows_keep_apply_off_until_good_rows_only(qtbot, window, workspace, tmp_path):
    from ui.workbooks import actions

    with workspace.database.session() as session:
        client, campaign, month = session.execute(
            select(Client.name, Campaign.name, BudgetLine.month)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .order_by(BudgetLine.id)
            .limit(1)
        ).one()
    path = tmp_path / "update.csv"
    path.write_text(
        "Client,Campaign,Month,Spend forecast\n"
        f'"{client}","{campaign}",{month // 100}-{month % 100:02d},12.5\n'
        f'"{client}","{campaign}",2026-13,1\n'
    )
    dialog = actions.import_spreadsheet(window, path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert dialog.refused.rowCount() == 1
    assert "'2026-13' is not a month" in dialog.refused.item(0, 3).text()
    assert dialog.tabs.currentWidget() is dialog.refused
    assert not dialog.apply_button.isEnabled()
    dialog.good_rows_only.setChecked(True)
    assert dialog.apply_button.isEnabled()
    dialog.reject()


def test_dates_that_read_two_ways_are_settled_in_the_dialog(qtbot, window, workspace, tmp_path):
    from ui.workbooks import actions

    with workspace.database.session() as session:
        client, campaign = session.execute(
            select(Client.name, Campaign.name).join(Client).order_by(Campaign.id).limit(1)
        ).one()
    path = tmp_path / "dates.csv"
    path.write_text(f'Client,Campaign,Start\n"{client}","{campaign}",03/04/2026\n')
    dialog = actions.import_spreadsheet(window, path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert "reads two ways" in dialog.refused.item(0, 3).text()
    dialog.date_order.setCurrentIndex(dialog.date_order.findData("dmy"))
    qtbot.waitUntil(
        lambda: dialog.plan is not None and dialog.plan_options.date_order == "dmy",
        timeout=30_000,
    )
    assert dialog.plan.problems == []
    change = dialog.plan.changes[0]
    assert change.values["start_date"] == dt.date(2026, 4, 3)
    dialog.reject()


def test_hidden_rows_are_shown_and_left_out_from_the_dialog(qtbot, window, workspace, tmp_path):
    """The app's side of x09: hidden rows and sheets are named in the preview, and a
    checkbox leaves them out; numbers that read two ways wait for the decimal mark."""
    from portfolio.money import exponent
    from ui.workbooks import actions

    with workspace.database.session() as session:
        client, campaign, currency = session.execute(
            select(Client.name, Campaign.name, Client.currency)
            .join(Client)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(BudgetLine.month.in_((202607, 202608)))
            .group_by(Client.name, Campaign.name, Client.currency)
            .having(func.count() == 2)
            .order_by(Client.name, Campaign.name)
            .limit(1)
        ).one()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget lines"
    sheet.append(["Client", "Campaign", "Month", "Spend forecast"])
    sheet.append([client, campaign, "2026-07", "16.700"])
    sheet.append([client, campaign, "2026-08", 2])
    sheet.row_dimensions[3].hidden = True
    path = tmp_path / "hidden.xlsx"
    book.save(path)

    dialog = actions.import_spreadsheet(window, path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert "Hidden: sheet 'Budget lines': row 3 is hidden" in dialog.summary.text()
    assert "reads two ways" in dialog.refused.item(0, 3).text()
    dialog.decimal_mark.setCurrentIndex(dialog.decimal_mark.findData(True))
    qtbot.waitUntil(
        lambda: dialog.plan is not None and dialog.plan_options.decimal_comma is True,
        timeout=30_000,
    )
    assert dialog.plan.problems == [] and len(dialog.plan.changes) == 2
    assert dialog.plan.changes[0].values["spend_forecast"] == 16700 * 10 ** exponent(currency)
    dialog.skip_hidden.setChecked(True)
    qtbot.waitUntil(
        lambda: dialog.plan is not None and dialog.plan_options.skip_hidden, timeout=30_000
    )
    assert [change.row for change in dialog.plan.changes] == [2]
    assert "left out" in dialog.summary.text()
    dialog.reject()
