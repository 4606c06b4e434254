"""The history people read: who changed what, when, from what to what, in words.

Newest first by when the change was made (an offline change is listed at the time it
was made, and says when it was synced).

Each journalled change becomes one line per changed field ("Spend actual: $9,400.00 ->
$8,888.00", money in the record's currency, people and choices by name); a record
created or deleted is one line. Newest first. The client page's History tab, a row's
History… and ``portfolio history`` all read it from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portfolio.journal.values import column_values, loads
from portfolio.journal.wording import Wording, field_label
from portfolio.model import JournalChange, JournalEntry
from portfolio.naming import RecordNames

#: Columns not worth a line of their own (the version counter moves with every change).
QUIET = frozenset({"version", "id"})


@dataclass(frozen=True)
class HistoryLine:
    """One changed field (or a record created or deleted), as a person reads it."""

    #: When, UTC (``portfolio.journal.wording.local_time`` for showing it).
    time: dt.datetime
    user: str
    action: str
    #: The table (entity name) and the record as named then.
    entity: str
    record: str
    row_id: int
    #: The field's label ("Spend actual"); None for a record created or deleted.
    field: str | None
    #: The field's data name ("spend_actual").
    field_name: str | None
    before: str
    after: str
    entry_id: int
    #: ``create``, ``update`` or ``delete``.
    op: str
    #: For a change made in an offline copy: when it reached this portfolio, UTC.
    synced: dt.datetime | None = None


def history(
    session: Session,
    *,
    client_id: int | None = None,
    user: str | None = None,
    since: dt.datetime | None = None,
    entity: str | None = None,
    row_id: int | None = None,
    limit: int | None = None,
) -> list[HistoryLine]:
    """Journalled changes, newest first, narrowed by client, person (name or login,
    any case), time (UTC) or one record; ``limit`` counts journal changes, not lines."""
    query = (
        select(
            JournalEntry.id,
            JournalEntry.at,
            JournalEntry.user_name,
            JournalEntry.action,
            JournalEntry.synced_at,
            JournalChange.entity,
            JournalChange.row_id,
            JournalChange.record,
            JournalChange.currency,
            JournalChange.op,
            JournalChange.before,
            JournalChange.after,
        )
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        # By when each change was made: an offline change synced today belongs where it
        # was made, among the others.
        .order_by(JournalEntry.at.desc(), JournalEntry.id.desc(), JournalChange.id.desc())
    )
    if client_id is not None:
        query = query.where(JournalChange.client_id == client_id)
    if user:
        wanted = " ".join(user.split()).casefold()
        query = query.where(
            or_(func.lower(JournalEntry.user_name) == wanted, JournalEntry.login == user.strip())
        )
    if since is not None:
        query = query.where(JournalEntry.at >= since)
    if entity is not None:
        query = query.where(JournalChange.entity == entity)
    if row_id is not None:
        query = query.where(JournalChange.row_id == row_id)
    if limit is not None:
        query = query.limit(limit)
    wording = Wording(RecordNames(session))
    lines: list[HistoryLine] = []
    for row in session.execute(query):
        common = {
            "time": row.at,
            "user": row.user_name,
            "action": row.action,
            "entity": row.entity,
            "record": row.record,
            "row_id": row.row_id,
            "entry_id": row.id,
            "op": row.op,
            "synced": row.synced_at,
        }
        if row.op == "create":
            lines.append(
                HistoryLine(**common, field=None, field_name=None, before="", after="created")
            )
            continue
        if row.op == "delete":
            lines.append(
                HistoryLine(**common, field=None, field_name=None, before="", after="deleted")
            )
            continue
        before = column_values(row.entity, loads(row.entity, row.before)) or {}
        after = column_values(row.entity, loads(row.entity, row.after))
        for name in before if after is None else after:
            if name in QUIET:
                continue
            old = wording.value(row.entity, name, before.get(name), row.currency)
            new = (
                "(not recorded)"
                if after is None
                else wording.value(row.entity, name, after.get(name), row.currency)
            )
            lines.append(
                HistoryLine(
                    **common,
                    field=field_label(row.entity, name),
                    field_name=name,
                    before=old,
                    after=new,
                )
            )
    return lines
