"""Find and keyboard: quick search, the standard shortcuts, copying, accessible names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableView
from sqlalchemy import select

from portfolio.model import Client
from tests.ui.conftest import get, loaded


def shortcut(window, text: str):
    """The menu action bound to a key sequence (what pressing it triggers)."""
    wanted = QKeySequence(text)
    for action in window.findChildren(type(window.undo_action)):
        if wanted in action.shortcuts():
            return action
    raise AssertionError(f"no action for {text}")


def test_quick_search_opens_a_client_with_the_keyboard(qtbot, window, workspace):
    with workspace.database.session() as session:
        client = session.scalars(select(Client).order_by(Client.name)).first()
    shortcut(window, "Ctrl+K").trigger()
    dialog = window.search_dialog
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.edit, client.name)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # Enter before the results: opens the first
    qtbot.waitUntil(lambda: window.current_key() == "client", timeout=10_000)
    assert window.client_page().client_id == client.id
    assert not dialog.isVisible()


def test_quick_search_arrows_through_kinds(qtbot, window):
    window.quick_search()
    dialog = window.search_dialog
    qtbot.keyClicks(dialog.edit, "mail")
    qtbot.waitUntil(lambda: not dialog.busy and dialog.results.count() > 1, timeout=10_000)
    kinds = {hit.kind for hit in dialog.hits}
    assert "campaign" in kinds
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Down)
    assert dialog.results.currentRow() == 1
    hit = dialog.hits[1]
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert window.current_key() == "client"
    assert window.client_page().client_id == hit.client_id


def test_navigation_and_standard_shortcuts(qtbot, window):
    shortcut(window, "Ctrl+2").trigger()
    assert window.current_key() == "clients"
    shortcut(window, "Ctrl+4").trigger()
    assert window.current_key() == "budgets"
    panel = window.current_panel()
    shortcut(window, QKeySequence(QKeySequence.StandardKey.Find).toString()).trigger()
    assert QGuiApplication.focusObject() is panel.filter_edit or panel.filter_edit.hasFocus()
    assert shortcut(window, "Ctrl+Z") is window.undo_action
    assert shortcut(window, "Ctrl+Shift+Z") is window.redo_action
    for keys in ("Ctrl+N", "Ctrl+D", "Del", "F2", "Ctrl+C", "Ctrl+V", "Ctrl+R", "Ctrl+F"):
        assert shortcut(window, keys).text()
    shortcut(window, "Alt+Left").trigger()
    assert window.current_key() == "clients"


def test_copy_puts_tab_separated_rows_with_headers_on_the_clipboard(qtbot, window):
    panel = window.show_page("clients").primary_panel()
    model = loaded(qtbot, panel.model)
    panel.table.setFocus()
    panel.table.selectRow(0)
    panel.table.selectionModel().select(
        model.index(1, 0),
        panel.table.selectionModel().SelectionFlag.Select
        | panel.table.selectionModel().SelectionFlag.Rows,
    )
    window.copy()
    text = QGuiApplication.clipboard().text()
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["Client", "Vertical", "Status"]
    assert len(lines) == 3
    assert lines[1].split("\t")[0] == get(model.index(0, 0))
    assert "Fiscal" not in lines[0], "hidden columns are not copied"


def test_copy_keeps_amounts_plain_for_spreadsheets(qtbot, window):
    panel = window.show_page("budgets").primary_panel()
    model = loaded(qtbot, panel.model)
    column = model.column_of("spend_budget")
    panel.table.setCurrentIndex(model.index(0, column))
    panel.table.selectionModel().select(
        model.index(0, column), panel.table.selectionModel().SelectionFlag.ClearAndSelect
    )
    text = panel.copy_selection()
    header, value = text.splitlines()
    assert header == "Spend budget"
    assert value == get(model.index(0, column), Qt.ItemDataRole.EditRole)
    assert "," not in value and value.replace(".", "").isdigit()


def test_controls_have_accessible_names(qtbot, window):
    for key in ("overview", "budgets", "variances", "deadlines", "team"):
        window.show_page(key)
    unnamed = [
        widget
        for kind in (QLineEdit, QComboBox, QTableView, QAbstractButton)
        for widget in window.findChildren(kind)
        if widget.isVisibleTo(window)
        and not widget.accessibleName()
        and not (isinstance(widget, QAbstractButton) and (widget.text() or widget.toolTip()))
        and widget.parent() is not None
        and not isinstance(widget.parent(), QComboBox | QTableView | QLineEdit)
        and widget.objectName() != "qt_spinbox_lineedit"
    ]
    assert not unnamed, [
        f"{type(w).__name__}:{w.objectName()} in {type(w.parent()).__name__}" for w in unnamed
    ]
