"""A form for adding or changing one record, built from the entity's field descriptions.

The fields, their labels, which are required and which editor each gets all come from
``portfolio.editing`` (``EntitySpec``); the dialog only lays them out. On OK the values
go to the core as one undoable action (``portfolio.actions``). A form that changes a
record sends only the fields the person changed, with the values the form showed, so a
field someone else changed meanwhile is merged, not put back; a collision is asked
about (Use mine / Keep theirs). A refusal names the field, and the dialog stays open
with the reason under that field and the focus on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from portfolio.actions import Action, EditConflictError, Outcome
from portfolio.editing import EntitySpec, entity
from portfolio.errors import PortfolioError, ValidationError
from ui.editing.conflicts import perform_resolving
from ui.tables.delegates import BLANK, editor_value, make_editor, set_editor_value
from ui.theme import colours
from ui.workspace import Workspace


class RecordDialog(QDialog):
    def __init__(
        self,
        workspace: Workspace,
        entity_name: str,
        *,
        title: str,
        values: dict[str, Any] | None = None,
        fixed: dict[str, str] | None = None,
        action: Callable[[dict[str, Any]], Action],
        fields: tuple[str, ...] | None = None,
        currency: str | None = None,
        changes_only: bool = False,
        choices: dict[str, list[tuple[Any, str]]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``fixed`` fields are shown (as text) but not edited; ``action`` builds the
        core action from the entered values: every field, or with ``changes_only``
        (forms that change a record) only the fields the person changed.

        ``choices`` turns a field into a pick list of (stored value, label), e.g. a client's
        campaigns for a make-up action (an empty value is "none").
        """
        super().__init__(parent)
        self.workspace = workspace
        self.spec: EntitySpec = entity(entity_name)
        self.fixed = fixed or {}
        self.values = dict(values or {})
        self.make_action = action
        self.changes_only = changes_only
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.editors: dict[str, QWidget] = {}
        self.notes: dict[str, QLabel] = {}
        self.outcome: Outcome | None = None
        self.action: Action | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addLayout(form)
        names = fields or tuple(f.name for f in self.spec.fields if f.editable)
        for name in names:
            field_spec = self.spec.field(name)
            label = field_spec.label + (" *" if field_spec.required else "")
            if name in self.fixed:
                form.addRow(label, QLabel(self.fixed[name]))
                continue
            if choices and name in choices:
                editor = QComboBox(self)
                for value, text in choices[name]:
                    editor.addItem(text, BLANK if value is None else value)
                editor.setAccessibleName(field_spec.label)
                editor.setProperty("field_kind", "choice")
            else:
                editor = make_editor(field_spec, self, workspace, currency=currency, inline=False)
            set_editor_value(editor, self.values.get(name))
            note = QLabel("")
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {colours().unfavourable.name()};")
            note.hide()
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(note)
            holder = QWidget()
            holder.setLayout(column)
            column.setContentsMargins(0, 0, 0, 0)
            form.addRow(label, holder)
            self.editors[name] = editor
            self.notes[name] = note
        #: What each editor showed when the form opened: a field is changed when its
        #: editor says something else now.
        self.shown = self.entered()
        self.general = QLabel("")
        self.general.setWordWrap(True)
        self.general.setStyleSheet(f"color: {colours().unfavourable.name()};")
        self.general.hide()
        layout.addWidget(self.general)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def entered(self) -> dict[str, Any]:
        return {name: editor_value(editor) for name, editor in self.editors.items()}

    def changed_values(self) -> dict[str, Any]:
        """The fields whose editor says something else than when the form opened."""
        now = self.entered()
        return {name: value for name, value in now.items() if value != self.shown.get(name)}

    def accept(self) -> None:
        for note in self.notes.values():
            note.hide()
        self.general.hide()
        if self.changes_only:
            values = self.changed_values()
            if not values:
                super().accept()  # nothing changed: nothing to save
                return
        else:
            values = {**self.values, **self.entered()}
        try:
            self.action = self.make_action(values)
            self.outcome = perform_resolving(self.workspace, self.action, self)
        except ValidationError as error:
            self.show_refusal(
                error.field, str(error) if error.field not in self.notes else error.reason
            )
            return
        except EditConflictError as error:
            self.show_refusal(None, str(error))
            return
        except PortfolioError as error:
            self.show_refusal(None, str(error))
            return
        super().accept()

    def show_refusal(self, field: str | None, text: str) -> None:
        """Put the reason under the refused field (or under the form) and focus it."""
        if field in self.notes:
            self.notes[field].setText(text)
            self.notes[field].show()
            self.editors[field].setFocus()
        else:
            self.general.setText(text)
            self.general.show()
