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

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from portfolio.identity import User
from portfolio.journal.values import dumps
from portfolio.model import JournalChange, JournalEntry
from portfolio.naming import Named, RecordNames

#: Journal changes written per statement.
CHUNK = 5000

ENTRY_INSERT = insert(JournalEntry.__table__).returning(JournalEntry.__table__.c.id)
CHANGE_INSERT = insert(JournalChange.__table__)


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


def _change_row(item: Recorded) -> dict[str, Any]:
    """One ``journal_change`` row for ``item`` (its entry's id added by the writer)."""
    return {
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

    def changes(self, origin: Any = None):
        """What was recorded, as the ``portfolio.actions.Changes`` views refresh from."""
        # Imported here: portfolio.actions imports this module (no import cycle).
        from portfolio.actions.changes import Changes, RecordChange

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
        origin: str | None = None,
        synced_at: dt.datetime | None = None,
    ) -> int:
        """Store the entry and its changes; return the entry's id (the journal position)."""
        entry = {
            "at": at or now(),
            "login": user.login[:128],
            "member_id": user.member_id,
            "user_name": user.shown[:200],
            "action": action[:500],
            "kind": kind,
            "reverts_id": reverts_id,
            "undone_by_id": None,
            "source": source[:500] if source else None,
            "origin": origin,
            "synced_at": synced_at,
        }
        changes = [_change_row(item) for item in self.items]
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            return _write_sqlite(connection, entry, changes)
        entry_id = connection.execute(ENTRY_INSERT, entry).scalar_one()
        for change in changes:
            change["entry_id"] = entry_id
        for start in range(0, len(changes), CHUNK):
            connection.execute(CHANGE_INSERT, changes[start : start + CHUNK])
        return entry_id


#: SQLAlchemy's storage format for ``DateTime`` on SQLite, which the journal must match.
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
ENTRY_COLUMNS = tuple(c.name for c in JournalEntry.__table__.columns if c.name != "id")
CHANGE_COLUMNS = tuple(c.name for c in JournalChange.__table__.columns if c.name != "id")
SQLITE_ENTRY = (
    f"INSERT INTO journal_entry ({', '.join(ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ENTRY_COLUMNS)})"
)
SQLITE_CHANGE = (
    f"INSERT INTO journal_change ({', '.join(CHANGE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in CHANGE_COLUMNS)})"
)


def _write_sqlite(connection, entry: dict[str, Any], changes: list[dict[str, Any]]) -> int:
    """The two inserts through sqlite3 itself, in the session's transaction.

    Measured on a 1,000-edit loop: SQLAlchemy's statement machinery for these two small
    inserts cost a fifth of a cell edit, more than the journal may add (issue 9: 15 %);
    sqlite3's own cursor does the same work in a tenth of the time.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    cursor = connection.connection.driver_connection.cursor()
    try:
        entry = {
            **entry,
            "at": entry["at"].strftime(SQLITE_TIME),
            "synced_at": entry["synced_at"].strftime(SQLITE_TIME)
            if entry.get("synced_at")
            else None,
        }
        cursor.execute(SQLITE_ENTRY, [entry.get(name) for name in ENTRY_COLUMNS])
        entry_id = cursor.lastrowid
        cursor.executemany(
            SQLITE_CHANGE,
            (
                [entry_id if name == "entry_id" else change[name] for name in CHANGE_COLUMNS]
                for change in changes
            ),
        )
    except sqlite3.Error as error:
        # As SQLAlchemy would raise it, so a full disk or a read-only file is explained
        # in one line like any other write (portfolio.storage.failures).
        raise DBAPIError.instance(SQLITE_ENTRY, None, error, sqlite3.Error) from None
    finally:
        cursor.close()
    return entry_id


@dataclass
class JournalWrite:
    """One entry to write with ``write_many``."""

    user: User
    action: str
    kind: str
    items: list[Recorded]
    at: dt.datetime | None = None
    origin: str | None = None
    synced_at: dt.datetime | None = None
    #: An undo or redo: the entry it reverts (marked ``undone_by`` this one).
    reverts_id: int | None = None
    #: An import: the file it read.
    source: str | None = None


def write_many(session: Session, writes: list[JournalWrite]) -> list[int]:
    """Many entries and their changes in two statements (a sync sends a thousand offline
    entries at once, over a link where each statement is a round trip); ids returned."""
    if not writes:
        return []
    entries = JournalEntry.__table__
    rows = [
        {
            "at": write.at or now(),
            "login": write.user.login[:128],
            "member_id": write.user.member_id,
            "user_name": write.user.shown[:200],
            "action": write.action[:500],
            "kind": write.kind,
            "reverts_id": write.reverts_id,
            "undone_by_id": None,
            "source": write.source,
            "origin": write.origin,
            "synced_at": write.synced_at,
        }
        for write in writes
    ]
    connection = session.connection()
    ids = [
        row[0]
        for row in connection.execute(
            insert(entries).returning(entries.c.id, sort_by_parameter_order=True), rows
        )
    ]
    changes = [
        {"entry_id": entry_id, **_change_row(item)}
        for entry_id, write in zip(ids, writes, strict=True)
        for item in write.items
    ]
    for start in range(0, len(changes), CHUNK):
        connection.execute(CHANGE_INSERT, changes[start : start + CHUNK])
    # What undo and redo mark, as ``perform`` does: an undone entry names its undo; a
    # redo marks the undo it reverts, and the entry that undo had undone is live again.
    reverting = [
        {"_reverted": write.reverts_id, "_by": entry_id}
        for entry_id, write in zip(ids, writes, strict=True)
        if write.reverts_id is not None and write.kind in ("undo", "redo")
    ]
    redone = [
        {"_undo": write.reverts_id}
        for write in writes
        if write.reverts_id is not None and write.kind == "redo"
    ]
    if redone:
        connection.execute(
            update(entries)
            .where(entries.c.undone_by_id == bindparam("_undo"))
            .values(undone_by_id=None),
            redone,
        )
    if reverting:
        connection.execute(
            update(entries)
            .where(entries.c.id == bindparam("_reverted"))
            .values(undone_by_id=bindparam("_by")),
            reverting,
        )
    return ids
