"""A table typed into like a spreadsheet: the keyboard of Excel, and a cell that stays put.

* Enter saves and moves down, Shift+Enter up, Tab right, Shift+Tab left; Esc cancels.
  Typing starts an edit of the current cell, F2 edits it keeping its text.
* A refused value keeps its cell current and in edit with the text as typed: the model
  says why (its ``refused`` signal) and the panel shows the reason under the table, where
  it covers no cell and takes no click.
* While a cell is in edit, the model holds other people's changes (``hold``, where the
  model has it): what the person is typing is never reloaded under them.
* The current cell survives whatever reloads the model - a save, a refresh, an undo, a
  change made elsewhere - because the view keeps it across every model reset and layout
  change by itself, whoever triggered the reload. A row of a model with ``row_id(row)``
  is found again by its id (it may have moved), else the same row and column are kept.

The moves are made here, after the save, rather than through Qt's end-edit hints: a
save may reset the model, which closes the editor under Qt's feet and leaves no current
cell ("commitData called with an editor that does not belong to this view").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

#: Key -> (rows, columns) the current cell moves after a save; Shift turns Enter up.
MOVES = {
    Qt.Key.Key_Return: (1, 0),
    Qt.Key.Key_Enter: (1, 0),
    Qt.Key.Key_Tab: (0, 1),
    Qt.Key.Key_Backtab: (0, -1),
}
#: How far from its old row a kept row is looked for by its id (rows already in memory).
FIND_ROW_WITHIN = 2000
REFUSED_STYLE = "border: 2px solid #c62828;"


class SheetDelegate(QStyledItemDelegate):
    """Hands Enter, Shift+Enter, Tab and Shift+Tab in an editor to its ``SheetView``."""

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QWidget):
            view = self.parent()
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            if isinstance(view, SheetView) and key in MOVES and view.editing_with(editor):
                rows, columns = MOVES[key]
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                ):
                    rows = -1
                if key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    columns = -1
                view.save_and_move(editor, rows, columns)
                return True
        return super().eventFilter(editor, event)


class SheetView(QTableView):
    """A ``QTableView`` with the keyboard of a spreadsheet (see the module)."""

    #: An edit ended: saved (True) or cancelled / moved away from (False).
    edit_ended = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kept: tuple[int, int, object] | None = None
        self._refusal: str | None = None
        self._edited: tuple[int, int] | None = None
        self._editor: QWidget | None = None
        self._holding = False
        self.setItemDelegate(SheetDelegate(self))
        self.setTabKeyNavigation(True)

    # -- the model ------------------------------------------------------------------------

    def setModel(self, model) -> None:  # noqa: N802
        self._hold(False)
        old = self.model()
        if old is not None:
            for signal, slot in self._signals(old):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        super().setModel(model)
        if model is not None:
            for signal, slot in self._signals(model):
                signal.connect(slot)

    def _signals(self, model):
        pairs = [
            (model.modelAboutToBeReset, self._remember),
            (model.modelReset, self._restore),
            (model.layoutAboutToBeChanged, self._remember),
            (model.layoutChanged, self._restore),
        ]
        refused = getattr(model, "refused", None)
        if refused is not None:
            pairs.append((refused, self._model_refused))
        return pairs

    def _model_refused(self, *args) -> None:
        self._refusal = str(args[-1]) if args else "refused"

    def _row_key(self, row: int) -> object:
        row_id = getattr(self.model(), "row_id", None)
        return row_id(row) if callable(row_id) else None

    def _remember(self, *_args) -> None:
        current = self.currentIndex()
        if current.isValid():
            self._kept = (current.row(), current.column(), self._row_key(current.row()))

    def _hold(self, holding: bool) -> None:
        """Tell the model a cell is (no longer) in edit; once per edit."""
        if holding == self._holding:
            return
        self._holding = holding
        hold = getattr(self.model(), "hold", None)
        if callable(hold):
            hold(holding)

    def _restore(self, *_args) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            self._hold(False)
        if self._kept is None:
            return
        row, column, key = self._kept
        model = self.model()
        if key is not None and self._row_key(row) != key:
            row = self._find_row(key, row)
        row = min(row, model.rowCount() - 1)
        column = min(column, model.columnCount() - 1)
        if row < 0 or column < 0:
            return
        index = model.index(row, column)
        if index != self.currentIndex() or not self.selectionModel().isSelected(index):
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _find_row(self, key: object, near: int) -> int:
        count = self.model().rowCount()
        for distance in range(1, FIND_ROW_WITHIN):
            for row in (near - distance, near + distance):
                if 0 <= row < count and self._row_key(row) == key:
                    return row
            if near - distance < 0 and near + distance >= count:
                break
        return near

    # -- editing --------------------------------------------------------------------------

    def edit(self, index: QModelIndex, trigger=None, event=None) -> bool:  # noqa: D401
        """Start editing ``index`` (Qt's protected ``edit`` and the public slot alike)."""
        if trigger is None:
            trigger = QAbstractItemView.EditTrigger.AllEditTriggers
        started = super().edit(index, trigger, event)
        if started:
            self._edited = (index.row(), index.column())
            self._editor = self.indexWidget(index)
            self._hold(True)
        return started

    def editing_with(self, editor: QWidget) -> bool:
        return (
            self.state() == QAbstractItemView.State.EditingState
            and self._editor is editor
            and self._edited is not None
        )

    def save_and_move(self, editor: QWidget, rows: int, columns: int) -> bool:
        """Save the editor's value; if taken, move the current cell by (rows, columns).

        A refusal leaves the cell current and in edit, its text as typed; nothing moves.
        """
        assert self._edited is not None
        row, column = self._edited
        self._refusal = None
        self.commitData(editor)
        if self._refusal is not None:
            editor.setStyleSheet(REFUSED_STYLE)
            editor.setToolTip(self._refusal)
            editor.setFocus()
            return False
        index = self.model().index(row, column)
        if self.indexWidget(index) is editor:
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._editor = None
        self._edited = None
        self.move_by(row, column, rows, columns)
        self.edit_ended.emit(True)
        return True

    def move_by(self, row: int, column: int, rows: int, columns: int) -> None:
        """Make the cell (rows, columns) away from (row, column) current, hidden ones skipped."""
        model = self.model()
        row = max(0, min(row, model.rowCount() - 1))
        column = max(0, min(column, model.columnCount() - 1))
        start = model.index(row, column)
        selection = self.selectionModel()
        selection.setCurrentIndex(start, QItemSelectionModel.SelectionFlag.NoUpdate)
        target = start
        actions = {
            (1, 0): QAbstractItemView.CursorAction.MoveDown,
            (-1, 0): QAbstractItemView.CursorAction.MoveUp,
            (0, 1): QAbstractItemView.CursorAction.MoveRight,
            (0, -1): QAbstractItemView.CursorAction.MoveLeft,
        }
        action = actions.get((rows, columns))
        if action is not None:
            moved = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
            if moved.isValid():
                target = moved
        selection.setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)
        self.setFocus()

    def closeEditor(self, editor: QWidget, hint) -> None:  # noqa: N802
        if editor is self._editor:
            self._editor = None
            self._edited = None
            if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:
                self.edit_ended.emit(False)
        super().closeEditor(editor, hint)
        if self._editor is None:
            self._hold(False)
