"""Undoing an import as one step, through the change journal.

An import is one journal entry; undoing it reverts that entry like any other action
(``portfolio.actions.revert``): the previous values of every row it changed come back
and every row it added goes, in one transaction, as a new journal entry. It is refused,
changing nothing, when that would lose someone's later work: a row edited since the
import, or rows added since under a client or campaign the import created.

``portfolio import undo`` undoes *your* last import: a colleague's import is theirs to
undo, and the refusal says whose the latest one is. Imports journalled before the
journal knew people (upgraded from the import journal) may be undone by anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes
from portfolio.actions.perform import NothingToUndoError, undo_in
from portfolio.identity import User
from portfolio.jobs import Job
from portfolio.model import JournalEntry

#: The login of entries carried over from the import journal of schema 0002.
BEFORE_THE_JOURNAL = "(before the journal)"


@dataclass(frozen=True)
class Undone:
    #: The import's journal entry and the undo's.
    entry_id: int
    undo_entry_id: int
    source: str
    imported_at: dt.datetime
    removed: int
    restored: int
    changes: Changes
    #: A later import by someone else that was left alone, if any: (who, source).
    later_by_others: tuple[str, str] | None = None


def _imports(session: Session):
    return (
        select(JournalEntry)
        .where(JournalEntry.kind == "import", JournalEntry.undone_by_id.is_(None))
        .order_by(JournalEntry.id.desc())
    )


def _mine(user: User):
    if user.member_id is not None:
        who = JournalEntry.member_id == user.member_id
    else:
        who = JournalEntry.login == user.login
    return or_(who, JournalEntry.login == BEFORE_THE_JOURNAL)


def last_import(session: Session, user: User | None = None) -> JournalEntry | None:
    """The most recent import not undone (``user``'s own, when given)."""
    query = _imports(session)
    if user is not None:
        query = query.where(_mine(user))
    return session.scalars(query.limit(1)).first()


def undo_last_import(session: Session, job: Job, user: User, entry_id: int | None = None) -> Undone:
    """Undo ``user``'s most recent import, or the import journalled as ``entry_id``
    (the app names the one on its undo stack); the caller commits.

    Raises ``NothingToUndoError`` (naming whose the latest import is, when it is not
    yours) and ``EditConflictError`` (what changed since, with nothing changed).
    """
    latest = last_import(session)
    if entry_id is None:
        entry = last_import(session, user)
        if entry is None:
            if latest is None:
                raise NothingToUndoError("There is no import to undo")
            raise NothingToUndoError(
                f"You have no import to undo; the last import ({latest.source}, "
                f"{latest.at:%d %b %Y %H:%M} UTC) was made by {latest.user_name}, "
                "who can undo it"
            )
    else:
        entry = session.get(JournalEntry, entry_id)
        if entry is None or entry.kind != "import" or entry.undone_by_id is not None:
            raise NothingToUndoError("That import was already undone")
    job.step(0.1, "Checking nothing changed since the import")
    undo_id, recorder = undo_in(session, entry.id, user)
    job.step(0.9, "Undone")
    removed = sum(1 for item in recorder.items if item.op == "delete")
    restored = sum(1 for item in recorder.items if item.op != "delete")
    later = None
    if latest is not None and latest.id != entry.id:
        later = (latest.user_name, latest.source or latest.action)
    return Undone(
        entry.id,
        undo_id,
        entry.source or entry.action,
        entry.at,
        removed,
        restored,
        recorder.changes(),
        later,
    )
