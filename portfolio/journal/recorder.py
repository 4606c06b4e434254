"""Collecting what one action changes and writing it as one journal entry.

The action layer (``portfolio.actions``) and the importer report every record they
create, update or delete to a ``Recorder``; at the end of the action, in the same
transaction, ``write`` stores one ``JournalEntry`` and its ``JournalChange`` rows in
bulk. The recorded changes are also what the action returns to the views
(``Changes``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes, RecordChange
from portfolio.identity import User
from portfolio.journal.values import dumps
from portfolio.model import JournalChange, JournalEntry
from portfolio.naming import Named, RecordNames

#: Journal changes written per statement.
CHUNK = 5000


@dataclass(slots=True)
class Recorded:
    """One record's change, as it will be journalled."""

    entity: str
    row_id: int
    op: str
    #: Update: the changed fields' stored values before; delete: the whole row.
    before: dict[str, Any] | None
    #: Update: the changed fields' stored values after; create: the whole row.
    after: dict[str, Any] | None
    #: The row's version after the change (None after a delete).
    version: int | None
    named: Named


def now() -> dt.datetime:
    """The journal's clock: UTC, to the second (what a person reads in the history)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Recorder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.names = RecordNames(session)
        self.items: list[Recorded] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def created(self, entity: str, row: dict[str, Any], named: Named | None = None) -> None:
        """A new row (every column's stored value)."""
        named = named or self.names.of(entity, row)
        self.items.append(
            Recorded(entity, row["id"], "create", None, dict(row), row.get("version"), named)
        )

    def updated(
        self,
        entity: str,
        row: dict[str, Any],
        before: dict[str, Any],
        named: Named | None = None,
    ) -> None:
        """Fields of ``row`` (its stored values after the change) that had ``before``."""
        changed = {name: value for name, value in before.items() if row[name] != value}
        if not changed:
            return
        after = {name: row[name] for name in changed}
        named = named or self.names.of(entity, row)
        self.items.append(
            Recorded(entity, row["id"], "update", changed, after, row.get("version"), named)
        )

    def deleted(self, entity: str, row: dict[str, Any], named: Named | None = None) -> None:
        """A row that is gone (every column's stored value before)."""
        named = named or self.names.of(entity, row)
        self.items.append(Recorded(entity, row["id"], "delete", dict(row), None, None, named))

    def add(self, item: Recorded) -> None:
        self.items.append(item)

    def changes(self, origin: Any = None) -> Changes:
        return Changes(
            tuple(
                RecordChange(
                    item.entity,
                    item.row_id,
                    item.op,
                    frozenset(item.after or ()) if item.op == "update" else frozenset(),
                )
                for item in self.items
            ),
            origin=origin,
        )

    def write(
        self,
        user: User,
        action: str,
        kind: str = "edit",
        *,
        reverts_id: int | None = None,
        source: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        """Store the entry and its changes; return the entry's id (the journal position)."""
        entry_id = self.session.execute(
            insert(JournalEntry)
            .values(
                at=at or now(),
                login=user.login[:128],
                member_id=user.member_id,
                user_name=user.shown[:200],
                action=action[:500],
                kind=kind,
                reverts_id=reverts_id,
                source=source[:500] if source else None,
            )
            .returning(JournalEntry.id)
        ).scalar_one()
        rows = [
            {
                "entry_id": entry_id,
                "entity": item.entity,
                "row_id": item.row_id,
                "client_id": item.named.client_id,
                "record": item.named.record[:500],
                "currency": item.named.currency,
                "op": item.op,
                "before": dumps(item.before),
                "after": dumps(item.after),
                "version": item.version,
            }
            for item in self.items
        ]
        table = JournalChange.__table__
        for start in range(0, len(rows), CHUNK):
            self.session.execute(insert(table), rows[start : start + CHUNK])
        return entry_id
