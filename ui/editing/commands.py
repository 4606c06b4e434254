"""The undo stack's view of journal entries: one ``QUndoCommand`` per user action.

The core does, undoes and redoes actions (``portfolio.actions``) and journals each as
an entry; a command here only remembers which entries it stands for and its text for the
Edit menu. The workspace runs the core's undo or redo first and moves the stack only
when it succeeded, so a refused undo (someone changed the same fields since) leaves
the stack where it was. Repeated edits of one cell merge into one command: typing three
corrections into the same budget cell is one step back, to the value before the first.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

#: ``QUndoCommand.id()`` of commands that edit fields of one record (they may merge).
EDIT_ID = 1


class JournalCommand(QUndoCommand):
    """Journal entries done as one step of the undo stack."""

    def __init__(self, text: str, entry_id: int, *, edit_key: tuple | None = None) -> None:
        super().__init__(text.replace("&", "&&"))
        self.label = text
        #: Entries in the order they were done; undone in reverse.
        self.entries = [entry_id]
        #: (entity, row id, fields) of a single-record edit, for merging; else None.
        self.edit_key = edit_key

    def id(self) -> int:
        return EDIT_ID if self.edit_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, JournalCommand) or other.edit_key != self.edit_key:
            return False
        self.entries.extend(other.entries)
        return True

    # The workspace has already done the change (or its undo) in the core when the stack
    # calls these; they only move the stack.
    def redo(self) -> None:
        pass

    def undo(self) -> None:
        pass
