"""When someone else changed what you change: say who, when and what, then let you choose.

The core refuses a colliding change as an ``EditConflictError`` naming, per field, who
changed it, when and the value stored now (``portfolio.actions.conflicts``). This asks
the person, next to the cell or over the form: **Use mine** does the action again on
top of what is stored now (checked again, so a third change is a new conflict), **Keep
theirs** drops it and shows their values. Fields nobody else touched were merged by the
core without asking.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from portfolio.actions import Action, Changes, EditConflictError, Outcome, RecordChange, rebased
from ui.workspace import Workspace

MINE = "mine"
THEIRS = "theirs"

#: Conflicts listed in the dialog before "and N more".
LISTED = 8


def conflict_text(error: EditConflictError) -> str:
    lines = [f"• {conflict}" for conflict in error.conflicts[:LISTED]]
    if len(error.conflicts) > LISTED:
        lines.append(f"• … and {len(error.conflicts) - LISTED:,} more")
    return "\n".join(lines)


class ConflictDialog(QMessageBox):
    """ "Changed by someone else": Use mine / Keep theirs."""

    def __init__(
        self, error: EditConflictError, parent: QWidget | None, *, doing: str = "Your change"
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Changed by someone else")
        self.setAccessibleName("Changed by someone else")
        overwritable = all(c.version is not None or c.field is not None for c in error.conflicts)
        self.setText(
            f"{doing} collides with a change someone else saved since you read it. "
            "Nothing was changed yet."
        )
        self.setInformativeText(conflict_text(error))
        self.mine = self.addButton("Use mine", QMessageBox.ButtonRole.AcceptRole)
        self.mine.setEnabled(overwritable)
        self.mine.setToolTip("Save your value over theirs")
        self.theirs = self.addButton("Keep theirs", QMessageBox.ButtonRole.RejectRole)
        self.theirs.setToolTip("Drop your change and show what is stored now")
        self.setDefaultButton(self.theirs)
        self.setEscapeButton(self.theirs)

    def choice(self) -> str:
        return MINE if self.clickedButton() is self.mine else THEIRS


def ask(parent: QWidget | None, error: EditConflictError, *, doing: str = "Your change") -> str:
    """``MINE`` or ``THEIRS``."""
    dialog = ConflictDialog(error, parent, doing=doing)
    dialog.exec()
    return dialog.choice()


def show_theirs(workspace: Workspace, error: EditConflictError) -> None:
    """Have the views read the records in conflict again, so they show what is stored."""
    records = tuple(
        RecordChange(c.entity, c.row_id, "update", frozenset({c.field} if c.field else ()))
        for c in error.conflicts
    )
    workspace.announce(Changes(records))


def perform_resolving(
    workspace: Workspace,
    action: Action,
    parent: QWidget | None,
    *,
    origin=None,
    asking: Callable[[QWidget | None, EditConflictError], str] = ask,
) -> Outcome | None:
    """Do ``action``; on a conflict ask, and do it again on top of theirs if the person
    chose "Use mine". Returns None when they kept theirs or nothing changed; other
    refusals (``ValidationError``...) propagate."""
    while True:
        try:
            return workspace.perform(action, origin=origin)
        except EditConflictError as error:
            if not any(c.version is not None for c in error.conflicts):
                show_theirs(workspace, error)
                raise
            if asking(parent, error) != MINE:
                show_theirs(workspace, error)
                return None
            action = rebased(action, error)
