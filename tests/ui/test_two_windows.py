"""Issue 9 in the app: two people, two main windows, one portfolio, on SQLite and PostgreSQL.

Each window has its own workspace working as a different team member. A window's
lists show what was stored when they were read (no live updates yet), so the second
person types over a value the first changed meanwhile: the app must ask, never
overwrite silently, and merge changes to other fields without asking.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from portfolio.model import BudgetLine, Client
from portfolio.storage import open_database
from tests.conftest import BACKENDS, TODAY, copy_demo
from tests.ui.conftest import get, loaded
from tests.ui.test_data_entry import click, editing, key, type_text

A_NAME = "Isla Patel"
B_NAME = "Hannah O'Neill"


@pytest.fixture(params=BACKENDS)
def shared_target(request, demo_file: Path, tmp_path: Path, pg_server, pg_demo_template) -> str:
    """One demo portfolio both windows open: an SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(copy_demo(demo_file, tmp_path / "shared.sqlite3"))
    return pg_server.create(template=pg_demo_template)


@pytest.fixture
def windows(qtbot, shared_target: str, tmp_path: Path) -> Iterator[tuple]:
    from ui.main_window import MainWindow
    from ui.settings import Settings
    from ui.workspace import Workspace

    made = []
    for name, who in (("a", A_NAME), ("b", B_NAME)):
        workspace = Workspace(
            open_database(shared_target, user=who),
            Settings.in_file(tmp_path / f"settings-{name}.ini"),
            today=TODAY,
        )
        window = MainWindow(workspace)
        qtbot.addWidget(window)
        window.resize(1360, 860)
        window.show()
        made.append(window)
    yield tuple(made)


def a_line(database) -> BudgetLine:
    with database.session() as session:
        return session.scalars(
            select(BudgetLine).where(BudgetLine.spend_actual.is_not(None)).order_by(BudgetLine.id)
        ).first()


def stored(database, line_id: int, field: str):
    with database.session() as session:
        return getattr(session.get(BudgetLine, line_id), field)


def lines_of(qtbot, window, campaign_id: int):
    panel = window.show_page("budgets").primary_panel()
    panel.set_scope({"campaign_id": campaign_id}, {"campaign_id": "Campaign: shared"})
    qtbot.waitUntil(lambda: panel.model.state.scope == (("campaign_id", campaign_id),))
    loaded(qtbot, panel.model)
    return panel


def cell_of(panel, line_id: int, field: str):
    from ui.tables.list_model import ROW_ID_ROLE

    model = panel.model
    row = next(
        row for row in range(model.rowCount()) if get(model.index(row, 0), ROW_ID_ROLE) == line_id
    )
    return model.index(row, model.column_of(field))


def type_cell(qtbot, panel, index, text: str) -> None:
    """Bring its window to the front, click the cell, type, Enter: as a person does."""
    window = panel.window()
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel.table.setFocus()
    click(qtbot, panel.table, index)
    type_text(qtbot, panel.table, text)
    key(qtbot, panel.table, Qt.Key.Key_Return)


def answering(choice: str, texts: list[str]) -> None:
    """Answer the next "Changed by someone else" dialog with a click on ``choice``."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from ui.editing.conflicts import ConflictDialog

    def poke() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ConflictDialog):
            texts.append(dialog.informativeText())
            button = dialog.mine if choice == "mine" else dialog.theirs
            QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        else:
            QTimer.singleShot(20, poke)

    QTimer.singleShot(0, poke)


def money(database, line_id: int, major: int) -> int:
    from portfolio.model import Campaign
    from portfolio.money import exponent

    with database.session() as session:
        currency = session.scalar(
            select(Client.currency)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(BudgetLine.id == line_id)
        )
    return major * 10 ** exponent(currency)


@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_a_cell_typed_over_a_colleagues_change_is_asked_about(qtbot, windows, choice):
    window_a, window_b = windows
    database = window_a.workspace.database
    line = a_line(database)
    panel_a = lines_of(qtbot, window_a, line.campaign_id)
    panel_b = lines_of(qtbot, window_b, line.campaign_id)  # read before A's change

    type_cell(qtbot, panel_a, cell_of(panel_a, line.id, "spend_actual"), "111")
    qtbot.waitUntil(lambda: not editing(panel_a.table))
    assert stored(database, line.id, "spend_actual") == money(database, line.id, 111)

    texts: list[str] = []
    answering(choice, texts)
    type_cell(qtbot, panel_b, cell_of(panel_b, line.id, "spend_actual"), "222")
    qtbot.waitUntil(lambda: bool(texts))
    assert "Spend actual of" in texts[0] and f"was changed by {A_NAME}" in texts[0]
    expected = 111 if choice == "theirs" else 222
    qtbot.waitUntil(
        lambda: stored(database, line.id, "spend_actual") == money(database, line.id, expected)
    )
    # B's list shows what is stored now, either way.
    index = cell_of(panel_b, line.id, "spend_actual")
    qtbot.waitUntil(
        lambda: (
            panel_b.model.value(index.row(), index.column())
            == stored(database, line.id, "spend_actual")
        )
    )


def test_different_fields_typed_in_two_windows_both_stand(qtbot, windows):
    window_a, window_b = windows
    database = window_a.workspace.database
    line = a_line(database)
    panel_a = lines_of(qtbot, window_a, line.campaign_id)
    panel_b = lines_of(qtbot, window_b, line.campaign_id)
    type_cell(qtbot, panel_a, cell_of(panel_a, line.id, "spend_actual"), "111")
    qtbot.waitUntil(lambda: not editing(panel_a.table))
    type_cell(qtbot, panel_b, cell_of(panel_b, line.id, "spend_forecast"), "222")
    qtbot.waitUntil(
        lambda: stored(database, line.id, "spend_forecast") == money(database, line.id, 222)
    )
    assert stored(database, line.id, "spend_actual") == money(database, line.id, 111)
    assert QApplication.activeModalWidget() is None


def test_undo_after_a_colleagues_change_is_refused_and_the_stack_stays(qtbot, windows):
    window_a, window_b = windows
    database = window_a.workspace.database
    line = a_line(database)
    panel_a = lines_of(qtbot, window_a, line.campaign_id)
    type_cell(qtbot, panel_a, cell_of(panel_a, line.id, "spend_actual"), "111")
    qtbot.waitUntil(lambda: not editing(panel_a.table))
    panel_b = lines_of(qtbot, window_b, line.campaign_id)  # reads A's value
    type_cell(qtbot, panel_b, cell_of(panel_b, line.id, "spend_actual"), "222")
    qtbot.waitUntil(
        lambda: stored(database, line.id, "spend_actual") == money(database, line.id, 222)
    )
    stack = window_a.workspace.undo_stack
    assert stack.canUndo()
    texts: list[str] = []
    answering("theirs", texts)
    window_a.activateWindow()
    window_a.undo_action.trigger()
    qtbot.waitUntil(lambda: bool(texts))
    assert f"was changed by {B_NAME}" in texts[0]
    assert stored(database, line.id, "spend_actual") == money(database, line.id, 222)
    assert stack.canUndo() and stack.index() == 1


def test_the_edit_details_form_saves_only_what_was_changed(qtbot, windows, monkeypatch):
    """The fault: OK wrote back every field the form showed (and refused to save at
    all: "Currency: is required")."""
    from portfolio.actions import Action, Edit
    from ui.editing.record_dialog import RecordDialog

    window_a, window_b = windows
    database = window_a.workspace.database
    with database.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        client_id, vertical = client.id, client.vertical
    page_b = window_b.client_page(client_id)

    def fill(dialog: RecordDialog) -> None:
        # Meanwhile A changes the notes of the same client.
        window_a.workspace.perform(
            Action("Edit notes", (Edit("client", client_id, {"notes": "Renewal call booked"}),))
        )
        combo = dialog.editors["vertical"]
        combo.setFocus()
        start = combo.currentIndex()
        # The next vertical in the list, chosen with the arrow keys.
        qtbot.keyClick(combo, Qt.Key.Key_Down if start + 1 < combo.count() else Qt.Key.Key_Up)
        assert combo.currentIndex() != start
        dialog.accept()

    monkeypatch.setattr(RecordDialog, "exec", lambda dialog: (fill(dialog), dialog.result())[1])
    page_b.edit_details()
    with database.session() as session:
        client = session.get(Client, client_id)
        assert client.notes == "Renewal call booked"  # A's change was not put back
        assert client.vertical != vertical  # B's change was saved


def test_history_tab_and_a_rows_history_name_who_changed_what(qtbot, windows):
    window_a, window_b = windows
    database = window_a.workspace.database
    line = a_line(database)
    panel_a = lines_of(qtbot, window_a, line.campaign_id)
    type_cell(qtbot, panel_a, cell_of(panel_a, line.id, "spend_actual"), "111")
    qtbot.waitUntil(lambda: not editing(panel_a.table))

    panel_b = lines_of(qtbot, window_b, line.campaign_id)
    index = cell_of(panel_b, line.id, "spend_actual")
    dialog = panel_b.show_history(index.row())
    qtbot.waitUntil(lambda: dialog.panel.loaded)
    [record] = dialog.panel.model.records
    assert (record["user"], record["field"]) == (A_NAME, "Spend actual")
    assert record["after"].endswith("111.00") or record["after"].endswith("111")
    dialog.close()

    with database.session() as session:
        from portfolio.model import Campaign

        client_id = session.scalar(
            select(Campaign.client_id).where(Campaign.id == line.campaign_id)
        )
    page = window_b.client_page(client_id, "history")
    qtbot.waitUntil(lambda: page.history.loaded)
    assert page.history.model.records[0]["user"] == A_NAME
    assert page.history.model.records[0]["record"].endswith(
        f"{line.month // 100}-{line.month % 100:02d}"
    )
