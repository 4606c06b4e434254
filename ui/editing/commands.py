"""Every change a person makes, as an undoable command on one ``QUndoStack``.

A command is a list of steps (change fields of a record, create one, delete one). Doing
or undoing a command runs all its steps in one ``Database.transaction()``, so each user
action is saved at once and as a whole, and undo goes through the same validated core
operations (``portfolio.editing``) as the change itself. Undoing a delete writes back
the row and everything the delete cascaded to (``portfolio.editing.history``).

Repeated edits of one cell merge into one command: typing three corrections into the
same budget cell is one step back, to the value before the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from portfolio.editing import create, delete, entity, update
from portfolio.editing.history import Captured, as_input, capture, restore
from portfolio.errors import PortfolioError, ValidationError
from portfolio.model.base import Base

if TYPE_CHECKING:
    from ui.workspace import Workspace

#: ``QUndoCommand.id()`` of commands that edit fields of one record (they may merge).
EDIT_ID = 1


class Step:
    """One change inside a command; ``first`` is true the first time it is done."""

    entity: str

    def do(self, session: Session, first: bool) -> None:
        raise NotImplementedError

    def undo(self, session: Session) -> None:
        raise NotImplementedError


class EditStep(Step):
    """Change fields of one record; remembers the values before, as input for undo."""

    def __init__(self, entity_name: str, row_id: int, changes: dict[str, Any]) -> None:
        self.entity = entity_name
        self.row_id = row_id
        self.changes = dict(changes)
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    @property
    def changed(self) -> bool:
        return bool(self.after)

    def do(self, session: Session, first: bool) -> None:
        spec = entity(self.entity)
        if not first:
            update(session, self.entity, self.row_id, self.after)
            return
        previous = update(session, self.entity, self.row_id, self.changes)
        row = session.get(spec.model, self.row_id)
        self.before = as_input(session, spec, self.row_id, previous)
        now = {name: getattr(row, name) for name in previous}
        self.after = as_input(session, spec, self.row_id, now)

    def undo(self, session: Session) -> None:
        update(session, self.entity, self.row_id, self.before)


class CreateStep(Step):
    """Add a record (or a copy of one); undone by deleting it and what was added under it."""

    def __init__(self, entity_name: str, make: Callable[[Session], Base]) -> None:
        self.entity = entity_name
        self.make = make
        self.row_id: int | None = None
        self.captured: Captured | None = None

    def do(self, session: Session, first: bool) -> None:
        if first:
            self.row_id = self.make(session).id
        elif self.captured is not None:
            restore(session, self.captured)

    def undo(self, session: Session) -> None:
        assert self.row_id is not None
        self.captured = capture(session, self.entity, self.row_id)
        delete(session, self.entity, self.row_id)


class DeleteStep(Step):
    """Delete a record; undone by writing it back with everything the delete removed."""

    def __init__(self, entity_name: str, row_id: int) -> None:
        self.entity = entity_name
        self.row_id = row_id
        self.captured: Captured | None = None

    def do(self, session: Session, first: bool) -> None:
        self.captured = capture(session, self.entity, self.row_id)
        delete(session, self.entity, self.row_id)

    def undo(self, session: Session) -> None:
        assert self.captured is not None
        restore(session, self.captured)


class LabelledStep(Step):
    """A step whose refusals say where they happened ("Spend budget, Mar 2026: ...")."""

    def __init__(self, step: Step, where: str) -> None:
        self.step = step
        self.where = where
        self.entity = step.entity

    @property
    def changed(self) -> bool:
        return getattr(self.step, "changed", True)

    def do(self, session: Session, first: bool) -> None:
        try:
            self.step.do(session, first)
        except ValidationError as error:
            raise ValidationError(
                error.field, f"{self.where}: {error.reason}", label=error.label, entity=error.entity
            ) from None

    def undo(self, session: Session) -> None:
        self.step.undo(session)


def create_step(entity_name: str, values: dict[str, Any]) -> CreateStep:
    return CreateStep(entity_name, lambda session: create(session, entity_name, values))


class Action(QUndoCommand):
    """One user action on the undo stack: its steps, done or undone in one transaction."""

    def __init__(self, workspace: Workspace, text: str, steps: Sequence[Step]) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.steps = list(steps)
        #: The workspace has already done the steps once when the command is pushed.
        self._pushed = False

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(step.entity for step in self.steps)

    def edit_key(self) -> tuple | None:
        """What a single-record edit changes, for merging; None for anything else."""
        step = self.steps[0] if len(self.steps) == 1 else None
        if isinstance(step, LabelledStep):
            step = step.step
        if not isinstance(step, EditStep):
            return None
        return (step.entity, step.row_id, tuple(sorted(step.after)))

    def id(self) -> int:
        return EDIT_ID if self.edit_key() is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, Action) or other.edit_key() != self.edit_key():
            return False
        mine, theirs = _edit(self.steps[0]), _edit(other.steps[0])
        mine.after = theirs.after
        if mine.after == mine.before:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._run(forward=True)

    def undo(self) -> None:
        self._run(forward=False)

    def _run(self, forward: bool) -> None:
        try:
            with self.workspace.database.transaction() as session:
                if forward:
                    for step in self.steps:
                        step.do(session, first=False)
                else:
                    for step in reversed(self.steps):
                        step.undo(session)
        except PortfolioError as error:
            verb = "Redo" if forward else "Undo"
            self.setObsolete(True)
            self.workspace.refused.emit(f"{verb} {self.text()}: {error}")
            return
        self.workspace.notify(self.entities)


def _edit(step: Step) -> EditStep:
    inner = step.step if isinstance(step, LabelledStep) else step
    assert isinstance(inner, EditStep)
    return inner
