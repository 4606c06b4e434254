"""The open portfolio as the views share it: the database, the day, undo, change news.

Views never hold sessions: they read through lanes (``ui.jobs``) and change things
through ``perform``, which has the core do one user action (``portfolio.actions``:
one transaction, one journal entry), puts it on the undo stack and tells every view
what changed (``changed``, with the core's typed ``Changes``), so each refreshes once
and only what it shows. Undo and redo go to the core first and move the stack only
when they succeeded: an undo refused as a conflict leaves the stack as it was.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.orm import Session

from portfolio import actions
from portfolio.actions import Action, Changes, Edit, Outcome
from portfolio.queries.listing import ListDefinition
from portfolio.queries.lists import ListContext, list_definition
from portfolio.storage import Database
from ui.editing.commands import JournalCommand
from ui.jobs import Lane
from ui.settings import Settings

T = TypeVar("T")


def _edit_key(action: Action) -> tuple | None:
    """(entity, row, fields) of an action that edits fields of one record, else None."""
    if len(action.steps) != 1 or not isinstance(action.steps[0], Edit):
        return None
    step = action.steps[0]
    return (step.entity, step.row_id, tuple(sorted(step.values)))


class Workspace(QObject):
    #: ``portfolio.actions.Changes``: what an action, an undo or a redo changed.
    changed = Signal(object)
    #: A change or an undo was refused; the message is one line.
    refused = Signal(str)

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        today: dt.date | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.settings = settings
        self.context = ListContext.for_today(today)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self._lanes: weakref.WeakSet[Lane] = weakref.WeakSet()
        self.closed = False

    @property
    def today(self) -> dt.date:
        return self.context.today

    @property
    def as_of(self) -> int:
        return self.context.as_of

    @property
    def user(self):
        """Who is working (``portfolio.identity.User``)."""
        return self.database.user

    def definition(self, name: str) -> ListDefinition:
        return list_definition(name, self.context)

    def lane(self, parent: QObject) -> Lane:
        lane = Lane(self.pool, parent)
        self._lanes.add(lane)
        return lane

    def read(self, function: Callable[[Session], T]) -> T:
        """Run a short read on this thread (small lookups for editors and dialogs)."""
        with self.database.session() as session:
            return function(session)

    # -- actions --------------------------------------------------------------------------

    def perform(self, action: Action, *, origin: Any = None) -> Outcome | None:
        """Have the core do ``action`` now, put it on the undo stack and announce it.

        A refusal (``ValidationError``, ``EditConflictError`` and the like) propagates
        with nothing changed and nothing pushed. Returns ``None`` when the action
        changed nothing.
        """
        outcome = actions.perform(self.database, action, origin=origin)
        if outcome.entry_id is None:
            return None
        self.record(action.text, outcome, edit_key=_edit_key(action))
        return outcome

    def record(self, text: str, outcome: Outcome, *, edit_key: tuple | None = None) -> None:
        """Put an entry the core already applied (an import, say) on the undo stack."""
        assert outcome.entry_id is not None
        self.undo_stack.push(JournalCommand(text, outcome.entry_id, edit_key=edit_key))
        self.announce(outcome.changes)

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (they refresh what it touches)."""
        if changes:
            self.changed.emit(changes)

    def undo(self, *, overwrite: bool = False) -> Outcome | None:
        """Undo the command before the stack's index; the stack moves only on success.

        Raises what the core raises (``EditConflictError`` when someone changed the same
        fields since), leaving the stack as it was.
        """
        stack = self.undo_stack
        if not stack.canUndo():
            return None
        command = stack.command(stack.index() - 1)
        assert isinstance(command, JournalCommand)
        outcome = actions.undo(self.database, command.entries, overwrite=overwrite)
        stack.undo()
        self.announce(outcome.changes)
        return outcome

    def redo(self, *, overwrite: bool = False) -> Outcome | None:
        """Redo the command at the stack's index; the stack moves only on success."""
        stack = self.undo_stack
        if not stack.canRedo():
            return None
        command = stack.command(stack.index())
        assert isinstance(command, JournalCommand)
        outcome = actions.redo(self.database, command.entries, overwrite=overwrite)
        stack.redo()
        self.announce(outcome.changes)
        return outcome

    def reload_everything(self) -> None:
        """Every view reads again (View > Refresh, another program changed the file)."""
        self.changed.emit(Changes.all())

    def close(self) -> None:
        """Stop the lanes, wait for running reads, close the database (idempotent)."""
        if self.closed:
            return
        self.closed = True
        for lane in list(self._lanes):
            lane.stop()
        self.pool.clear()
        self.pool.waitForDone(30_000)
        self.database.close()


def one_line(value: Any) -> str:
    return " ".join(str(value).split())
