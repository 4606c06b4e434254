"""Editing that never loses work: at the cell, validated by the core, saved, undoable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QMessageBox
from sqlalchemy import func, select

from portfolio.model import BudgetLine, Campaign, Client, Opportunity
from portfolio.storage import open_database
from tests.conftest import AS_OF
from tests.ui.conftest import get, loaded


def closed_line(database) -> BudgetLine:
    with database.session() as session:
        return session.scalars(
            select(BudgetLine)
            .where(BudgetLine.month <= AS_OF, BudgetLine.spend_actual.is_not(None))
            .order_by(BudgetLine.id)
            .limit(1)
        ).one()


def stored(database, line_id: int, field: str):
    with database.session() as session:
        return getattr(session.get(BudgetLine, line_id), field)


def lines_panel(qtbot, window, campaign_id: int):
    page = window.show_page("budgets")
    panel = page.primary_panel()
    panel.set_scope({"campaign_id": campaign_id}, {"campaign_id": "Campaign: test"})
    qtbot.waitUntil(lambda: panel.model.state.scope == (("campaign_id", campaign_id),))
    loaded(qtbot, panel.model)
    return panel


def row_of(panel, line_id: int) -> int:
    from ui.tables.list_model import ROW_ID_ROLE

    return next(
        row
        for row in range(panel.model.rowCount())
        if get(panel.model.index(row, 0), ROW_ID_ROLE) == line_id
    )


def type_into(qtbot, panel, index, text: str) -> None:
    """Edit a cell the way a person does: F2, type, Enter."""
    panel.table.setFocus()
    panel.table.setCurrentIndex(index)
    qtbot.keyClick(panel.table, Qt.Key.Key_F2)
    editor = panel.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Saved: the editor closes. Refused: it stays open, with the reason under the table.
    qtbot.waitUntil(
        lambda: (
            panel.table.state() != QAbstractItemView.State.EditingState or panel.balloon.isVisible()
        )
    )


def test_edit_a_budget_cell_see_the_variance_move_undo_and_find_the_original(
    qtbot, window, workspace
):
    from ui.tables.list_model import RAW_ROLE

    database = workspace.database
    line = closed_line(database)
    panel = lines_panel(qtbot, window, line.campaign_id)
    model = panel.model
    row = row_of(panel, line.id)
    actual = model.index(row, model.column_of("spend_actual"))
    variance = model.index(row, model.column_of("spend_variance"))
    before = get(variance, RAW_ROLE)
    assert before == line.spend_actual - line.spend_budget

    type_into(qtbot, panel, actual, "12,345.67")

    assert stored(database, line.id, "spend_actual") == 1_234_567
    assert get(variance, RAW_ROLE) == 1_234_567 - line.spend_budget
    assert get(variance, RAW_ROLE) != before
    assert window.undo_action.isEnabled()
    assert "Edit Spend actual of" in window.undo_action.text()

    window.undo_action.trigger()
    assert stored(database, line.id, "spend_actual") == line.spend_actual
    qtbot.waitUntil(lambda: get(variance, RAW_ROLE) == before, timeout=10_000)
    assert "Edit Spend actual" in window.redo_action.text()
    window.redo_action.trigger()
    assert stored(database, line.id, "spend_actual") == 1_234_567


def test_repeated_edits_of_one_cell_undo_in_one_step(qtbot, window, workspace):
    database = workspace.database
    line = closed_line(database)
    panel = lines_panel(qtbot, window, line.campaign_id)
    index = panel.model.index(row_of(panel, line.id), panel.model.column_of("spend_budget"))
    for text in ("100", "200", "300.50"):
        assert panel.model.setData(index, text)
    assert stored(database, line.id, "spend_budget") == 30_050
    assert workspace.undo_stack.count() == 1
    workspace.undo()
    assert stored(database, line.id, "spend_budget") == line.spend_budget


def test_bad_input_is_refused_at_the_cell_with_the_reason(qtbot, window, workspace):
    database = workspace.database
    line = closed_line(database)
    panel = lines_panel(qtbot, window, line.campaign_id)
    model = panel.model
    row = row_of(panel, line.id)
    index = model.index(row, model.column_of("spend_actual"))
    shown = get(index)

    type_into(qtbot, panel, index, "12.345")
    assert panel.balloon.isVisible()
    assert "more than 2 decimal places" in panel.balloon.text()
    assert "Spend actual" in panel.balloon.text()
    assert get(index) == shown
    assert "Not saved" in get(index, Qt.ItemDataRole.ToolTipRole)

    for typed, reason in (("abc", "is not an amount"), ("-5", "cannot be negative")):
        assert not model.setData(index, typed)
        assert reason in model.last_refusal[2]
    assert stored(database, line.id, "spend_actual") == line.spend_actual
    assert workspace.undo_stack.count() == 0
    assert "Nothing was saved" in window.statusBar().currentMessage()


def test_an_edit_is_saved_at_once_and_survives_a_restart(
    qtbot, window, workspace, settings, ui_target
):
    from ui.workspace import Workspace

    line = closed_line(workspace.database)
    panel = lines_panel(qtbot, window, line.campaign_id)
    index = panel.model.index(row_of(panel, line.id), panel.model.column_of("revenue_actual"))
    assert panel.model.setData(index, "777")
    window.close()  # closes the workspace too: no save step anywhere
    again = Workspace(open_database(ui_target), settings)
    try:
        assert stored(again.database, line.id, "revenue_actual") == 77_700
    finally:
        again.close()


def test_choice_and_person_cells_use_lists(qtbot, window, workspace):
    from PySide6.QtWidgets import QComboBox

    panel = window.show_page("requests").primary_panel()
    model = loaded(qtbot, panel.model)
    index = model.index(0, model.column_of("priority"))
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = panel.table.focusWidget()
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == [
        "Critical",
        "High",
        "Normal",
        "Low",
    ]
    panel.table.closeEditor(editor, panel.table.itemDelegate().EndEditHint.RevertModelCache)
    owner = model.index(0, model.column_of("owner"))
    panel.table.setCurrentIndex(owner)
    panel.table.edit(owner)
    assert isinstance(panel.table.focusWidget(), QComboBox)


def test_delete_spells_out_the_cascade_and_undo_brings_it_all_back(
    qtbot, window, workspace, monkeypatch
):
    database = workspace.database
    panel = window.show_page("clients").primary_panel()
    model = loaded(qtbot, panel.model)
    panel.select_row(0)
    client_id = model.row_id(0)

    def counts():
        with database.session() as session:
            return (
                session.scalar(select(func.count()).where(Campaign.client_id == client_id)),
                session.scalar(
                    select(func.count())
                    .select_from(BudgetLine)
                    .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                    .where(Campaign.client_id == client_id)
                ),
            )

    campaigns, lines = counts()
    text = panel.deletion_text([client_id])
    assert f"{campaigns:,} campaigns" in text and f"{lines:,} budget lines" in text
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kwargs: asked.append(args[2]) or QMessageBox.StandardButton.Yes,
    )
    assert panel.delete_selected()
    assert text in asked[0]
    assert counts() == (0, 0)
    qtbot.waitUntil(lambda: model.rowCount() == 39, timeout=10_000)
    window.undo_action.trigger()
    assert counts() == (campaigns, lines)
    qtbot.waitUntil(lambda: model.rowCount() == 40, timeout=10_000)


def test_cancelled_delete_changes_nothing(qtbot, window, workspace, monkeypatch):
    panel = window.show_page("opportunities").primary_panel()
    model = loaded(qtbot, panel.model)
    panel.select_row(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not panel.delete_selected()
    with workspace.database.session() as session:
        assert session.get(Opportunity, model.row_id(0)) is not None


def test_add_from_the_form_refuses_at_the_field_then_saves(qtbot, window, workspace):
    from ui.editing.record_dialog import RecordDialog
    from ui.tables.delegates import set_editor_value

    panel = window.show_page("campaigns").primary_panel()
    loaded(qtbot, panel.model)
    opened: list[RecordDialog] = []
    original_exec = RecordDialog.exec

    def fill_and_accept(dialog: RecordDialog) -> int:
        opened.append(dialog)
        with workspace.database.session() as session:
            client = session.scalars(select(Client).order_by(Client.id)).first()
        set_editor_value(dialog.editors["client_id"], client.id)
        set_editor_value(dialog.editors["name"], "")
        dialog.accept()  # refused: a campaign needs a name
        assert dialog.notes["name"].isVisible() is False or dialog.notes["name"].text()
        assert "required" in dialog.notes["name"].text()
        set_editor_value(dialog.editors["name"], "Spring test mailing")
        dialog.accept()
        return int(dialog.result())

    RecordDialog.exec = fill_and_accept
    try:
        panel.add_record()
    finally:
        RecordDialog.exec = original_exec
    assert opened and opened[0].action is not None
    with workspace.database.session() as session:
        assert (
            session.scalar(select(func.count()).where(Campaign.name == "Spring test mailing")) == 1
        )
    assert window.undo_action.text().endswith("Add campaign Spring test mailing")
    window.undo_action.trigger()
    with workspace.database.session() as session:
        assert not session.scalar(
            select(func.count()).where(Campaign.name == "Spring test mailing")
        )


def test_duplicate_makes_a_named_copy(qtbot, window, workspace):
    panel = window.show_page("campaigns").primary_panel()
    model = loaded(qtbot, panel.model)
    panel.select_row(0)
    name = get(model.index(0, model.column_of("name")))
    panel.duplicate_selected()
    with workspace.database.session() as session:
        assert session.scalar(select(func.count()).where(Campaign.name == f"{name} (copy)")) == 1
    workspace.undo()
    with workspace.database.session() as session:
        assert not session.scalar(select(func.count()).where(Campaign.name == f"{name} (copy)"))
