"""Editors picked from a field's kind: typed date, money field, choice list, person picker.

The same editors serve table cells (through ``FieldDelegate``) and the add/edit forms.
They hand the core what a person typed or chose - text, a stored choice value, a name -
and the core parses and validates it; an editor never decides what is valid, so a refused
value comes back with the core's reason, in the core's words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QStyleOptionViewItem,
    QWidget,
)

from portfolio.editing.fields import FieldSpec
from portfolio.money import ISO_4217
from portfolio.queries.pickers import clients, people
from ui.tables.date_editor import DateEditor
from ui.tables.sheet_view import SheetDelegate
from ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex

#: Item data of a combo's empty choice. Not ``None``: PySide 6.12 hands an empty
#: QVariant back to Python as a None it does not count, so every such read would
#: lower None's reference count until the interpreter dies on exit.
BLANK = ""
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "PLN", "INR")


def make_editor(
    spec: FieldSpec,
    parent: QWidget | None,
    workspace: Workspace,
    *,
    currency: str | None = None,
    inline: bool = True,
) -> QWidget:
    """An editor for one field; ``inline`` editors fit in a table cell."""
    kind = spec.kind
    editor: QWidget
    if kind in ("date", "datetime"):
        editor = DateEditor(parent, kind, not spec.required)
    elif kind == "choice" and spec.vocabulary is not None:
        combo = QComboBox(parent)
        if not spec.required:
            combo.addItem("", BLANK)
        for value, label in spec.vocabulary.choices:
            combo.addItem(label, value)
        editor = combo
    elif kind == "person":
        combo = QComboBox(parent)
        if not spec.required:
            combo.addItem("", BLANK)
        for _, name in workspace.read(lambda session: people(session, spec.role)):
            combo.addItem(name, name)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor = combo
    elif kind == "reference" and spec.refers_to == "client":
        combo = QComboBox(parent)
        for client_id, name in workspace.read(clients):
            combo.addItem(name, client_id)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor = combo
    elif kind == "bool":
        combo = QComboBox(parent)
        combo.addItem("Yes", "yes")
        combo.addItem("No", "no")
        editor = combo
    elif kind == "currency":
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(list(COMMON_CURRENCIES) + sorted(set(ISO_4217) - set(COMMON_CURRENCIES)))
        editor = combo
    elif kind == "longtext" and not inline:
        text = QPlainTextEdit(parent)
        text.setTabChangesFocus(True)
        text.setFixedHeight(72)
        editor = text
    else:
        line = QLineEdit(parent)
        if kind in ("money", "count", "integer", "percent", "rate"):
            line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if kind == "money" and currency:
            line.setPlaceholderText(f"amount in {currency}")
        if kind == "month":
            line.setPlaceholderText("YYYY-MM")
        if spec.max_length:
            line.setMaxLength(spec.max_length + 20)  # longer input is refused with a reason
        editor = line
    editor.setAccessibleName(spec.label)
    editor.setProperty("field_kind", kind)
    return editor


def set_editor_value(editor: QWidget, value: Any) -> None:
    if isinstance(editor, DateEditor):
        editor.set_value(value)
        return
    if isinstance(editor, QComboBox):
        index = editor.findData(BLANK if value is None else value)
        if index < 0 and value is not None:
            index = editor.findText(str(value))
        if index < 0 and isinstance(value, bool):
            index = editor.findData("yes" if value else "no")
        if index >= 0:
            editor.setCurrentIndex(index)
        elif editor.isEditable():
            editor.setEditText("" if value is None else str(value))
        return
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText("" if value is None else str(value))
        return
    if isinstance(editor, QLineEdit):
        editor.setText("" if value is None else str(value))
        editor.selectAll()


def editor_value(editor: QWidget) -> Any:
    """What the person entered, for the core to parse: text, a stored value, a name, an id."""
    if isinstance(editor, DateEditor):
        return editor.value()
    if isinstance(editor, QComboBox):
        if editor.isEditable():
            text = editor.currentText().strip()
            index = editor.findText(text, Qt.MatchFlag.MatchFixedString)
            # Items added without data (the currency list) stand for their text; an
            # item's None data must not turn a chosen value into a blank (the Edit
            # details form refused every client with "Currency: is required").
            data = editor.itemData(index) if index >= 0 else None
            if data is not None and data != BLANK:
                return data
            return text or None
        value = editor.currentData()
        return None if value == BLANK else value
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QLineEdit):
        return editor.text()
    return None


class FieldDelegate(SheetDelegate):
    """Opens the editor a cell's field kind calls for; hands the typed value to the model."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget | None:
        model = index.model()
        spec = model.field_spec(index.column()) if hasattr(model, "field_spec") else None
        if spec is None:
            return super().createEditor(parent, option, index)
        editor = make_editor(
            spec, parent, self.workspace, currency=model.currency_at(index.row()), inline=True
        )
        editor.setAutoFillBackground(True)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if editor.property("field_kind") is None:
            super().setEditorData(editor, index)
            return
        # Ask the Python model directly (see BLANK for why not ``index.data()``).
        model = index.model()
        set_editor_value(editor, model.data(index, Qt.ItemDataRole.EditRole))

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: Index
    ) -> None:
        if editor.property("field_kind") is None:
            super().setModelData(editor, model, index)
            return
        model.setData(index, editor_value(editor), Qt.ItemDataRole.EditRole)
