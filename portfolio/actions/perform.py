"""Doing a user action, undoing it and redoing it: one transaction, one journal entry.

``perform`` does an ``Action``'s steps through the validated operations of
``portfolio.editing``, checks each against what others changed since the user read it
(``portfolio.actions.conflicts``), and writes the journal entry in the same transaction;
it returns an ``Outcome`` with the journal entry and the typed ``Changes`` every view
refreshes from. ``undo`` and ``redo`` are actions too: an undo is a new journal entry
that reverts an earlier one (``portfolio.actions.revert``), refused as a conflict when
someone changed the same fields since; redo reverts that undo.

Everything that changes the portfolio on a person's behalf goes through here or through
the importer, which journals the same way: the desktop app (which wraps entries in
``QUndoCommand``s), the ``portfolio edit`` and ``portfolio import undo`` commands, and
the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes
from portfolio.actions.conflicts import ConflictFinder, EditConflictError
from portfolio.actions.revert import revert
from portfolio.actions.steps import Action, Create, Delete, Duplicate, Edit, Step
from portfolio.editing import entity
from portfolio.editing import operations as ops
from portfolio.editing.cascade import capture
from portfolio.errors import ConflictError, NotFoundError, ValidationError
from portfolio.identity import User
from portfolio.journal.recorder import Recorder
from portfolio.model import JournalEntry
from portfolio.model.base import Base
from portfolio.storage import Database


class NothingToUndoError(ConflictError):
    """The entry was already undone (or redone) by then."""


@dataclass(frozen=True)
class Outcome:
    """What an action did."""

    #: The journal entry written (None when nothing changed).
    entry_id: int | None
    changes: Changes
    #: Ids of the records the steps created, in step order.
    created: tuple[int, ...] = ()
    #: (entity, id) -> the record's version after the action.
    versions: dict[tuple[str, int], int] = field(default_factory=dict)
    #: The action's text as journalled (``{record}`` filled in).
    text: str = ""

    @property
    def changed(self) -> bool:
        return self.entry_id is not None or bool(self.changes)


def row_values(row: Base) -> dict[str, Any]:
    """Every column's stored value of an ORM row."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


class _Doing:
    """One action in progress: its session, recorder and conflict finder."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.recorder = Recorder(session)
        self.finder = ConflictFinder(session, self.recorder.names)
        self.conflicts: list = []
        self.created: list[int] = []

    def run(self, step: Step) -> None:
        try:
            if isinstance(step, Edit):
                self.edit(step)
            elif isinstance(step, Create):
                self.create(step)
            elif isinstance(step, Duplicate):
                row = ops.duplicate(self.session, step.entity, step.row_id)
                self._created(step.entity, row)
            elif isinstance(step, Delete):
                self.delete(step)
            else:  # pragma: no cover - a new kind of step must be handled here
                raise TypeError(f"unknown step {step!r}")
        except ValidationError as error:
            where = getattr(step, "where", None)
            if where:
                raise ValidationError(
                    error.field, f"{where}: {error.reason}", label=error.label, entity=error.entity
                ) from None
            raise

    def edit(self, step: Edit) -> None:
        spec = entity(step.entity)
        row = ops.load(self.session, step.entity, step.row_id)
        before = row_values(row)
        named = self.recorder.names.of(spec.model.__tablename__, before)
        conflicts = self.finder.changed_fields(
            step.entity,
            before,
            named,
            list(step.values),
            version=step.version,
            seen=dict(step.seen) if step.seen is not None else None,
            mine=dict(step.values),
        )
        if conflicts:
            self.conflicts.extend(conflicts)
            return
        # The record's name was read with its client's currency: the money parse needs
        # no second look-up (a record with a currency of its own reads its own).
        own_currency = "currency" in spec.field_names
        ops.update(
            self.session,
            step.entity,
            step.row_id,
            dict(step.values),
            currency=None if own_currency else named.currency,
        )
        after = row_values(row)
        self.recorder.updated(
            step.entity, after, {k: v for k, v in before.items() if k != "version"}, named
        )

    def create(self, step: Create) -> None:
        row = ops.create(self.session, step.entity, dict(step.values))
        self._created(step.entity, row)

    def _created(self, name: str, row: Base) -> None:
        self.created.append(row.id)
        self.recorder.created(name, row_values(row))

    def delete(self, step: Delete) -> None:
        spec = entity(step.entity)
        row = ops.load(self.session, step.entity, step.row_id)
        values = row_values(row)
        names = self.recorder.names
        named = names.of(spec.model.__tablename__, values)
        conflicts = self.finder.changed_record(step.entity, values, named, version=step.version)
        if conflicts:
            self.conflicts.extend(conflicts)
            return
        captured = capture(self.session, step.entity, step.row_id)
        for table, rows in captured.rows.items():
            for captured_row in rows:
                names.know(table, captured_row)
        gone = [
            (table, captured_row, names.of(table, captured_row))
            for table, rows in captured.rows.items()
            for captured_row in rows
        ]
        cleared = []
        for table, column, pairs in captured.cleared:
            model = Base.metadata.tables[table]
            for child_id, value in pairs:
                child = self.session.execute(select(model).where(model.c.id == child_id)).first()
                if child is not None:
                    child_row = dict(child._mapping)
                    cleared.append((table, {**child_row, column: None}, {column: value}))
        ops.delete(self.session, step.entity, step.row_id)
        for table, cleared_row, before in cleared:
            self.recorder.updated(table, cleared_row, before)
        # Children first, as a database removes them; undo restores parents first.
        for table, gone_row, gone_named in reversed(gone):
            self.recorder.deleted(table, gone_row, gone_named)


def run_action(session: Session, action: Action) -> tuple[Recorder, tuple[int, ...]]:
    """Do ``action``'s steps in ``session`` (the caller's transaction); journal nothing.

    Raises ``ValidationError`` (a refused value, naming the field), ``EditConflictError``
    (every field someone else changed since; nothing is changed), ``NotFoundError``.
    """
    doing = _Doing(session)
    for step in action.steps:
        doing.run(step)
    if doing.conflicts:
        raise EditConflictError(doing.conflicts)
    return doing.recorder, tuple(doing.created)


def journalled_text(action: Action, recorder: Recorder) -> str:
    """``action``'s text with ``{record}`` filled in from what it changed."""
    return action.named(recorder.items[0].named.record if recorder.items else None)


def _versions(recorder: Recorder) -> dict[tuple[str, int], int]:
    return {
        (item.entity, item.row_id): item.version
        for item in recorder.items
        if item.version is not None
    }


def perform(db: Database, action: Action, *, origin: Any = None, journal: bool = True) -> Outcome:
    """Do ``action`` in one transaction and journal it as ``db.user``.

    Returns an ``Outcome`` (``entry_id`` None and no changes when the action changed
    nothing: typing the value a cell already holds). ``journal=False`` is for the
    benchmark's baseline only. Raises what ``run_action`` raises, with nothing changed.
    """
    user = db.user

    def work(session: Session) -> Outcome:
        recorder, created = run_action(session, action)
        text = journalled_text(action, recorder)
        if not recorder:
            return Outcome(None, Changes(origin=origin), created, text=text)
        entry_id = recorder.write(user, text) if journal else None
        return Outcome(entry_id, recorder.changes(origin), created, _versions(recorder), text)

    return db.write(work)


def _entry(session: Session, entry_id: int) -> JournalEntry:
    entry = session.get(JournalEntry, entry_id)
    if entry is None:
        raise NotFoundError(f"Journal entry {entry_id} no longer exists")
    return entry


def undo_in(
    session: Session, entry_id: int, user: User, *, overwrite: bool = False
) -> tuple[int, Recorder]:
    """Undo journal entry ``entry_id`` in ``session``; return the undo's entry id.

    Raises ``NothingToUndoError`` when it is already undone, ``EditConflictError`` when
    someone changed what it changed since (unless ``overwrite``), with nothing changed.
    """
    entry = _entry(session, entry_id)
    if entry.undone_by_id is not None:
        raise NothingToUndoError(f"{entry.action} was already undone")
    recorder = Recorder(session)
    revert(session, entry_id, recorder, doing=f"Cannot undo {entry.action}", overwrite=overwrite)
    undo_id = recorder.write(user, f"Undo {entry.action}", "undo", reverts_id=entry_id)
    entry.undone_by_id = undo_id
    session.flush()
    return undo_id, recorder


def redo_in(
    session: Session, entry_id: int, user: User, *, overwrite: bool = False
) -> tuple[int, Recorder]:
    """Redo journal entry ``entry_id`` (undone earlier) by reverting its undo."""
    entry = _entry(session, entry_id)
    if entry.undone_by_id is None:
        raise NothingToUndoError(f"{entry.action} is not undone; there is nothing to redo")
    undo_entry = _entry(session, entry.undone_by_id)
    recorder = Recorder(session)
    revert(
        session, undo_entry.id, recorder, doing=f"Cannot redo {entry.action}", overwrite=overwrite
    )
    redo_id = recorder.write(user, f"Redo {entry.action}", "redo", reverts_id=undo_entry.id)
    undo_entry.undone_by_id = redo_id
    entry.undone_by_id = None
    session.flush()
    return redo_id, recorder


def _entries(entries: int | Sequence[int]) -> list[int]:
    return [entries] if isinstance(entries, int) else list(entries)


def undo(
    db: Database,
    entries: int | Sequence[int],
    *,
    overwrite: bool = False,
    origin: Any = None,
) -> Outcome:
    """Undo journal entry ``entries`` (or several, done in that order: undone last
    first) as ``db.user``, in one transaction; ``Outcome.entry_id`` is the last undo's.

    Raises ``EditConflictError`` / ``NothingToUndoError`` with nothing changed.
    """
    user = db.user

    def work(session: Session) -> Outcome:
        changes = Changes(origin=origin)
        versions: dict[tuple[str, int], int] = {}
        last = None
        for entry_id in reversed(_entries(entries)):
            last, recorder = undo_in(session, entry_id, user, overwrite=overwrite)
            changes = changes.merged(recorder.changes(origin))
            versions.update(_versions(recorder))
        return Outcome(last, changes, (), versions)

    return db.write(work)


def redo(
    db: Database,
    entries: int | Sequence[int],
    *,
    overwrite: bool = False,
    origin: Any = None,
) -> Outcome:
    """Redo journal entry ``entries`` (or several, in that order) as ``db.user``."""
    user = db.user

    def work(session: Session) -> Outcome:
        changes = Changes(origin=origin)
        versions: dict[tuple[str, int], int] = {}
        last = None
        for entry_id in _entries(entries):
            last, recorder = redo_in(session, entry_id, user, overwrite=overwrite)
            changes = changes.merged(recorder.changes(origin))
            versions.update(_versions(recorder))
        return Outcome(last, changes, (), versions)

    return db.write(work)
