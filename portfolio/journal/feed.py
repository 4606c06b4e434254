"""Other people's changes as the views' ``Changes``, read from the journal.

Every applied action is a journal entry numbered by its position (``JournalEntry.id``);
on PostgreSQL entries commit in the order of their numbers (migration 0005), and on
SQLite one writer at a time commits. So a window that remembers the last position it
has seen can ask for everything after it and miss nothing: ``news_since(session,
position)`` returns the entries since, and the ``Changes`` they make, built exactly as
an action's own ``Changes`` are, so views refresh from a colleague's change by the same
path as from their own (``portfolio.actions.changes``).

What tells a window to ask is ``portfolio.storage.watch``: PostgreSQL's
``LISTEN/NOTIFY``, or SQLite's ``PRAGMA data_version`` on a shared file.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes, RecordChange
from portfolio.model import JournalChange, JournalEntry

#: Record changes read one by one at most; past this, every view simply reloads.
MOST_RECORDS = 5000


@dataclass(frozen=True)
class Entry:
    """One journal entry as the status bar names it."""

    id: int
    user_name: str
    action: str


@dataclass(frozen=True)
class News:
    """Entries after a position and what they changed."""

    #: The position to ask from next time (the last entry read, or the one given).
    position: int
    entries: tuple[Entry, ...] = ()
    changes: Changes = field(default_factory=Changes)

    def __bool__(self) -> bool:
        return bool(self.entries)


def position(session: Session) -> int:
    """The journal's position now: its last entry (0 for an empty journal)."""
    return int(session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0)


def news_since(session: Session, after: int, *, skip: Collection[int] = ()) -> News:
    """Entries after position ``after`` (except the ids in ``skip``: the window's own)
    and the ``Changes`` they made; a journal that moved by more than
    ``MOST_RECORDS`` record changes comes back as ``Changes.all()``."""
    rows = session.execute(
        select(JournalEntry.id, JournalEntry.user_name, JournalEntry.action)
        .where(JournalEntry.id > after)
        .order_by(JournalEntry.id)
    ).all()
    if not rows:
        return News(after)
    last = rows[-1][0]
    entries = tuple(Entry(*row) for row in rows if row[0] not in skip)
    if not entries:
        return News(last)
    query = (
        select(JournalChange.entity, JournalChange.row_id, JournalChange.op, JournalChange.after)
        .where(JournalChange.entry_id > after, JournalChange.entry_id <= last)
        .order_by(JournalChange.id)
        .limit(MOST_RECORDS + 1)
    )
    if len(entries) < len(rows):
        query = query.where(JournalChange.entry_id.in_([entry.id for entry in entries]))
    changes = session.execute(query).all()
    if len(changes) > MOST_RECORDS:
        return News(last, entries, Changes.all())
    records = tuple(
        RecordChange(
            entity,
            row_id,
            op,
            frozenset(json.loads(values)) if op == "update" and values else frozenset(),
        )
        for entity, row_id, op, values in changes
    )
    return News(last, entries, Changes(records))
