"""Reading one record's journal: who changed which field, when, and to what.

Conflict messages ("changed by Isla Patel at 14:02 to $9,000.00") and undo refusals ask
here who last touched a field of a record since a version the user read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.journal.values import loads
from portfolio.model import JournalChange, JournalEntry


@dataclass(frozen=True)
class PastChange:
    """One journalled change of a record."""

    entry_id: int
    at: dt.datetime
    user_name: str
    action: str
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    version: int | None

    def touches(self, field: str | None) -> bool:
        """Whether this change set ``field`` (any field, for None; creates and deletes
        touch every field)."""
        if field is None or self.op != "update":
            return True
        return field in (self.after or self.before or {})


def record_changes(
    session: Session,
    entity: str,
    row_id: int,
    *,
    after_version: int | None = None,
    after_entry: int | None = None,
) -> list[PastChange]:
    """The journal of one record, oldest first; only changes that left it at a version
    above ``after_version``, or made after entry ``after_entry``, when given."""
    query = (
        select(
            JournalChange.entry_id,
            JournalEntry.at,
            JournalEntry.user_name,
            JournalEntry.action,
            JournalChange.op,
            JournalChange.before,
            JournalChange.after,
            JournalChange.version,
        )
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        .where(JournalChange.entity == entity, JournalChange.row_id == row_id)
        .order_by(JournalChange.id)
    )
    if after_entry is not None:
        query = query.where(JournalChange.entry_id > after_entry)
    found = []
    for row in session.execute(query):
        if after_version is not None and row.op != "delete":
            if row.version is None or row.version <= after_version:
                continue
        found.append(
            PastChange(
                row.entry_id,
                row.at,
                row.user_name,
                row.action,
                row.op,
                loads(entity, row.before),
                loads(entity, row.after),
                row.version,
            )
        )
    return found


def last_touching(changes: list[PastChange], field: str | None) -> PastChange | None:
    """The latest of ``changes`` that set ``field``."""
    return next((change for change in reversed(changes) if change.touches(field)), None)


def fields_changed(changes: list[PastChange]) -> set[str]:
    """Every field the updates among ``changes`` set."""
    fields: set[str] = set()
    for change in changes:
        if change.op == "update":
            fields |= set(change.after or change.before or {})
    return fields


def versions_explained(changes: list[PastChange], since: int, now: int) -> bool:
    """Whether the journal accounts for every version from ``since`` up to ``now`` (a
    change made outside Portfolio's actions moves the counter without a journal entry)."""
    seen = {change.version for change in changes if change.version is not None}
    return all(version in seen for version in range(since + 1, now + 1))
